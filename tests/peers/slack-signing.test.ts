import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackApiServer, startSlackApiServer } from '../../tools/slack-emulator/server.js';
import {
  actionFromBlocks,
  appHomeOpenedEvent,
  blockActionsPayload,
  blockSuggestionPayload,
  eventCallbackBody,
  interactionBody,
  sendSlackRequest,
  signSlackRequest,
  slashCommandBody,
  urlVerificationBody,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';

const TOKEN = 'xoxb-signing-test';
const SECRET = 'signing-secret-for-tests';

describe('signSlackRequest', () => {
  it('produces a signature Bolt verifies, and one it refuses once stale or tampered', () => {
    const body = slashCommandBody({ command: '/interview', text: 'ada@example.com', triggerId: '1.2.ab' });
    const headers = signSlackRequest(SECRET, body);
    const verify = (rawBody: string, h: typeof headers) =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: rawBody,
        headers: {
          'x-slack-signature': h['x-slack-signature'],
          'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']),
        },
      });
    expect(() => verify(body, headers)).not.toThrow();
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() => verify(`${body}&x=1`, headers)).toThrow(/signature mismatch/);
    const old = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60);
    expect(() => verify(body, old)).toThrow(/stale/);
  });

  it('builds the slash command form Slack sends, field for field', () => {
    const body = slashCommandBody({
      command: '/interview',
      text: 'schedule ada@example.com',
      triggerId: '13345224609.738474920.8088930838d88f008e0',
      responseUrl: 'https://hooks.slack.com/commands/T/1/abc',
    });
    expect([...new URLSearchParams(body).keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(body).toContain('command=%2Finterview&text=schedule+ada%40example.com');
    expect(interactionBody({ type: 'x' })).toBe('payload=%7B%22type%22%3A%22x%22%7D');
  });
});

describe('a real Bolt app, driven by signed requests and talking to the emulator', () => {
  let slack: SlackApiServer;
  let app: App;
  let url: string;
  const seen: string[] = [];

  beforeAll(async () => {
    slack = await startSlackApiServer({ token: TOKEN, strict: true });
    app = new App({
      token: TOKEN,
      signingSecret: SECRET,
      clientOptions: { slackApiUrl: slack.url },
      logLevel: LogLevel.ERROR,
    });
    app.command('/interview', async ({ ack, client, body }) => {
      await ack();
      // Slack gives a trigger_id 3 s: open the modal first.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'schedule',
          title: { type: 'plain_text', text: 'Schedule' },
          submit: { type: 'plain_text', text: 'Book' },
          blocks: [
            {
              type: 'input',
              block_id: 'role',
              label: { type: 'plain_text', text: 'Role' },
              element: { type: 'external_select', action_id: 'pick', min_query_length: 0 },
            },
            {
              type: 'actions',
              block_id: 'more',
              elements: [
                { type: 'button', action_id: 'refresh', text: { type: 'plain_text', text: 'Refresh' } },
              ],
            },
          ],
        },
      });
    });
    app.options('pick', async ({ ack, options }) => {
      seen.push(`options:${options.value}`);
      await ack({ options: [{ text: { type: 'plain_text', text: 'Backend engineer' }, value: 'backend' }] });
    });
    app.action('refresh', async ({ ack, body }) => {
      seen.push(`action:${body.type}`);
      await ack();
    });
    app.view('schedule', async ({ ack, view }) => {
      seen.push(`submit:${view.state.values.role?.pick?.selected_option?.value}`);
      await ack({ response_action: 'errors', errors: { role: 'No slots left' } });
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: {
          type: 'home',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No interviews yet' } }],
        },
      });
    });
    const server = (await app.start(0)) as Server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  it('runs a slash command, an options load, a button, a submission and an event end to end', async () => {
    const emulator = slack.emulator;
    const command = await sendSlackRequest(
      url,
      slashCommandBody({ command: '/interview', triggerId: emulator.issueTriggerId() }),
      SECRET,
    );
    expect(command.status).toBe(200);
    await emulator.waitForCall('views.open', { timeoutMs: 2000 });
    const view = emulator.openModal()!;
    expect(view.callback_id).toBe('schedule');

    const options = await sendSlackRequest(
      url,
      interactionBody(
        blockSuggestionPayload({
          user: 'U_RECRUITER',
          actionId: 'pick',
          blockId: 'role',
          value: 'back',
          view,
        }),
      ),
      SECRET,
    );
    expect(options.json).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Backend engineer' }, value: 'backend' }],
    });

    const click = await sendSlackRequest(
      url,
      interactionBody(
        blockActionsPayload({
          user: 'U_RECRUITER',
          view,
          triggerId: emulator.issueTriggerId(),
          actions: [actionFromBlocks(view.blocks, 'refresh')],
        }),
      ),
      SECRET,
    );
    expect(click.status).toBe(200);

    const filled = emulator.submitViewState(view.id, {
      role: { pick: { text: 'Backend engineer', value: 'backend' } },
    });
    const submit = await sendSlackRequest(
      url,
      interactionBody(
        viewSubmissionPayload({ user: 'U_RECRUITER', view: filled, triggerId: emulator.issueTriggerId() }),
      ),
      SECRET,
    );
    expect(submit.json).toEqual({ response_action: 'errors', errors: { role: 'No slots left' } });
    expect(emulator.applyViewSubmissionResponse(view.id, submit.json).action).toBe('errors');

    const event = await sendSlackRequest(
      url,
      eventCallbackBody({ event: appHomeOpenedEvent({ user: 'U_RECRUITER' }) }),
      SECRET,
    );
    expect(event.status).toBe(200);
    await emulator.waitForCall('views.publish', { timeoutMs: 2000 });
    expect(emulator.lastView('U_RECRUITER')?.type).toBe('home');

    const verification = await sendSlackRequest(url, urlVerificationBody('challenge-123'), SECRET);
    expect(verification.json).toEqual({ challenge: 'challenge-123' });

    const forged = await sendSlackRequest(
      url,
      slashCommandBody({ command: '/interview', triggerId: '1.2.a' }),
      'wrong',
    );
    expect(forged.status).toBe(401);

    expect(seen).toEqual(['options:back', 'action:block_actions', 'submit:backend']);
    expect(emulator.violations).toEqual([]);
  });
});
