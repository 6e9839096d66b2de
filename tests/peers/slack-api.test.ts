import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackApiEmulator } from '../../tools/slack-emulator/emulator.js';
import { type SlackApiServer, startSlackApiServer } from '../../tools/slack-emulator/server.js';

const TOKEN = 'xoxb-test-token';

let server: SlackApiServer;
let client: WebClient;

/** The Slack error code a WebClient call failed with. */
async function slackError(call: Promise<unknown>): Promise<{ error: string; data: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: string; data?: Record<string, unknown> };
    expect(e.code).toBe(ErrorCode.PlatformError);
    return { error: String(e.data?.error), data: e.data ?? {} };
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  server = await startSlackApiServer({ token: TOKEN, strict: true });
  client = new WebClient(TOKEN, {
    slackApiUrl: server.url,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 0 },
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.emulator.reset();
});

describe('Slack Web API emulator, driven by @slack/web-api', () => {
  it('answers auth.test like Slack and refuses a wrong or missing token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await client.auth.test();
    expect(auth).toMatchObject({
      ok: true,
      team_id: 'T_PANELIST',
      user_id: 'U_PANELIST_BOT',
      bot_id: 'B_PANELIST',
    });

    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: server.url, logLevel: LogLevel.ERROR });
    expect((await slackError(wrong.auth.test())).error).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: server.url, logLevel: LogLevel.ERROR });
    expect((await slackError(none.auth.test())).error).toBe('not_authed');
  });

  it('posts messages and thread replies with increasing ts, readable back as a thread', async () => {
    const parent = await client.chat.postMessage({
      channel: 'C_RECRUITING',
      text: 'Interview booked',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Ada* booked an interview' } }],
    });
    expect(parent.ok).toBe(true);
    expect(parent.channel).toBe('C_RECRUITING');
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(parent.message?.blocks?.[0]?.block_id).toEqual(expect.any(String));

    const reply = await client.chat.postMessage({
      channel: 'C_RECRUITING',
      thread_ts: parent.ts!,
      text: 'Evaluation',
    });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));

    const thread = await client.conversations.replies({ channel: 'C_RECRUITING', ts: parent.ts! });
    expect(thread.messages?.map((m) => m.text)).toEqual(['Interview booked', 'Evaluation']);
    expect(thread.messages?.[0]).toMatchObject({ reply_count: 1, thread_ts: parent.ts });
    expect(server.emulator.thread('C_RECRUITING', parent.ts!)).toHaveLength(2);
    expect(server.emulator.messagesIn('C_RECRUITING').map((m) => m.text)).toEqual(['Interview booked']);

    const link = await client.chat.getPermalink({ channel: 'C_RECRUITING', message_ts: reply.ts! });
    expect(link.permalink).toBe(
      `https://panelist-dev.slack.com/archives/C_RECRUITING/p${reply.ts!.replace('.', '')}?thread_ts=${parent.ts}&cid=C_RECRUITING`,
    );

    const updated = await client.chat.update({
      channel: 'C_RECRUITING',
      ts: parent.ts!,
      text: 'Interview cancelled',
    });
    expect(updated.message?.edited).toBeDefined();
    expect(server.emulator.messagesIn('C_RECRUITING')[0]?.text).toBe('Interview cancelled');
    expect(server.emulator.violations).toEqual([]);
  });

  it('refuses blocks over Block Kit limits with invalid_blocks and records the violation', async () => {
    const { error, data } = await slackError(
      client.chat.postMessage({
        channel: 'C_RECRUITING',
        text: 'too long',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
      }),
    );
    expect(error).toBe('invalid_blocks');
    expect(data.errors).toEqual([
      'section text must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]',
    ]);
    expect(server.emulator.violations).toEqual([
      'chat.postMessage: section text must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]',
    ]);
    expect(server.emulator.messagesIn('C_RECRUITING')).toEqual([]);
  });

  it('refuses a message whose blocks are too big in total with msg_blocks_too_long', async () => {
    const blocks = Array.from({ length: 6 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'y'.repeat(2500) },
    }));
    expect(
      (await slackError(client.chat.postMessage({ channel: 'C_RECRUITING', text: 'big', blocks }))).error,
    ).toBe('msg_blocks_too_long');
    expect(server.emulator.violations).toHaveLength(1);
  });

  it('records caller bugs: unknown method, missing text, unknown channel', async () => {
    expect((await slackError(client.apiCall('chat.postMesage', { channel: 'C_RECRUITING' }))).error).toBe(
      'unknown_method',
    );
    expect((await slackError(client.chat.postMessage({ channel: 'C_RECRUITING' } as never))).error).toBe(
      'no_text',
    );
    expect((await slackError(client.chat.postMessage({ channel: 'C_NOPE', text: 'hi' }))).error).toBe(
      'channel_not_found',
    );
    expect(
      (await slackError(client.chat.update({ channel: 'C_RECRUITING', text: 'x' } as never))).error,
    ).toBe('message_not_found');
    expect(server.emulator.violations).toEqual([
      'chat.postMesage: unknown method',
      'chat.postMessage: missing required argument text (or blocks)',
      'chat.update: missing required argument ts',
    ]);
  });

  it('opens DMs and describes users with their time zone and email', async () => {
    server.emulator.addUser({ id: 'U_ADA', name: 'ada', tz: 'Europe/London', email: 'ada@example.com' });
    const dm = await client.conversations.open({ users: 'U_ADA' });
    expect(dm.channel?.id).toMatch(/^D/);
    const again = await client.conversations.open({ users: 'U_ADA' });
    expect(again).toMatchObject({ already_open: true, channel: { id: dm.channel?.id } });
    const info = await client.conversations.info({ channel: dm.channel!.id! });
    expect(info.channel).toMatchObject({ is_im: true, user: 'U_ADA' });

    const posted = await client.chat.postMessage({ channel: 'U_ADA', text: 'Your interview link' });
    expect(posted.channel).toBe(dm.channel?.id);

    const recruiter = await client.users.info({ user: 'U_RECRUITER' });
    expect(recruiter.user?.tz).toBe('America/New_York');
    expect(recruiter.user?.tz_label).toMatch(/^Eastern (Standard|Daylight) Time$/);
    expect([-18000, -14400]).toContain(recruiter.user?.tz_offset);
    const ada = await client.users.info({ user: 'U_ADA' });
    expect(ada.user?.profile?.email).toBe('ada@example.com');
    expect((await slackError(client.users.info({ user: 'U_NOBODY' }))).error).toBe('user_not_found');
  });

  it('opens, updates (with hash check), pushes and publishes views', async () => {
    const emulator = server.emulator;
    const modal = {
      type: 'modal' as const,
      callback_id: 'schedule',
      external_id: 'schedule-1',
      title: { type: 'plain_text' as const, text: 'Schedule' },
      submit: { type: 'plain_text' as const, text: 'Book' },
      blocks: [
        {
          type: 'input',
          block_id: 'candidate',
          label: { type: 'plain_text', text: 'Candidate email' },
          element: { type: 'plain_text_input', action_id: 'email' },
        },
      ],
    };
    const opened = await client.views.open({ trigger_id: emulator.issueTriggerId(), view: modal });
    const view = opened.view!;
    expect(view.id).toMatch(/^V[A-Z0-9]{10}$/);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'schedule',
      state: { values: {} },
      root_view_id: view.id,
    });

    const stale = await slackError(
      client.views.update({ view_id: view.id!, hash: 'stale.hash', view: modal }),
    );
    expect(stale.error).toBe('hash_conflict');
    const updated = await client.views.update({ view_id: view.id!, hash: view.hash!, view: modal });
    expect(updated.view?.hash).not.toBe(view.hash);
    const byExternal = await client.views.update({ external_id: 'schedule-1', view: modal });
    expect(byExternal.view?.id).toBe(view.id);

    const pushed = await client.views.push({
      trigger_id: emulator.issueTriggerId(),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Confirm' }, blocks: [] },
    });
    expect(pushed.view).toMatchObject({ previous_view_id: view.id, root_view_id: view.id });
    expect(emulator.openModal()?.id).toBe(pushed.view?.id);

    const home = await client.views.publish({
      user_id: 'U_RECRUITER',
      view: { type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Upcoming' } }] },
    });
    expect(home.view?.type).toBe('home');
    expect(emulator.lastView('U_RECRUITER')?.id).toBe(home.view?.id);
    expect(emulator.violations).toEqual([]);
  });

  it('refuses a modal whose title is too long, as Slack does, with a JSON pointer', async () => {
    const { error, data } = await slackError(
      client.views.open({
        trigger_id: server.emulator.issueTriggerId(),
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'Schedule an AI interview now' },
          blocks: [],
        },
      }),
    );
    expect(error).toBe('invalid_arguments');
    expect(data.response_metadata).toEqual({
      messages: ['[ERROR] title text must be at most 24 characters (got 28) [json-pointer:/view/title/text]'],
    });
    expect(server.emulator.violations).toHaveLength(1);
  });

  it('refuses missing, used and expired trigger ids', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Hi' }, blocks: [] };
    expect((await slackError(client.views.open({ view } as never))).error).toBe('invalid_arguments');
    expect((await slackError(client.views.open({ trigger_id: 'not-a-trigger', view }))).error).toBe(
      'invalid_trigger_id',
    );
    const trigger = server.emulator.issueTriggerId();
    expect(trigger).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    await client.views.open({ trigger_id: trigger, view });
    expect((await slackError(client.views.open({ trigger_id: trigger, view }))).error).toBe(
      'exchanged_trigger_id',
    );
    expect(server.emulator.violations).toHaveLength(3);
  });
});

describe('SlackApiEmulator without HTTP', () => {
  it('expires trigger ids after 3 s', () => {
    let now = 1_763_700_000_000;
    const emulator = new SlackApiEmulator({ token: TOKEN, strict: true, now: () => now });
    const trigger = emulator.issueTriggerId();
    now += 3100;
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Hi' }, blocks: [] };
    expect(emulator.handle('views.open', { trigger_id: trigger, view: JSON.stringify(view) }, TOKEN)).toEqual(
      {
        ok: false,
        error: 'expired_trigger_id',
      },
    );
    expect(emulator.violations).toEqual([
      'views.open: trigger_id used 3100 ms after it was issued (Slack allows 3000)',
    ]);
  });

  it('fills view state as Slack reports it and applies the answer to a submission', () => {
    const emulator = new SlackApiEmulator({ token: TOKEN, strict: true });
    const view = {
      type: 'modal',
      title: { type: 'plain_text', text: 'Schedule' },
      submit: { type: 'plain_text', text: 'Book' },
      blocks: [
        {
          type: 'input',
          block_id: 'email',
          label: { type: 'plain_text', text: 'Email' },
          element: { type: 'plain_text_input', action_id: 'value' },
        },
        {
          type: 'input',
          block_id: 'role',
          label: { type: 'plain_text', text: 'Role' },
          element: {
            type: 'static_select',
            action_id: 'value',
            options: [
              { text: { type: 'plain_text', text: 'Backend engineer' }, value: 'backend' },
              { text: { type: 'plain_text', text: 'Designer' }, value: 'design' },
            ],
          },
        },
        {
          type: 'input',
          block_id: 'day',
          label: { type: 'plain_text', text: 'Day' },
          element: { type: 'datepicker', action_id: 'value', initial_date: '2026-03-02' },
        },
        {
          type: 'input',
          block_id: 'panel',
          optional: true,
          label: { type: 'plain_text', text: 'Panel' },
          element: { type: 'multi_users_select', action_id: 'value' },
        },
      ],
    };
    const opened = emulator.handle('views.open', { trigger_id: emulator.issueTriggerId(), view }, TOKEN);
    const id = (opened.view as { id: string }).id;
    const submitted = emulator.submitViewState(id, {
      email: { value: 'ada@example.com' },
      role: { value: 'backend' },
    });
    expect(submitted.state.values).toEqual({
      email: { value: { type: 'plain_text_input', value: 'ada@example.com' } },
      role: {
        value: {
          type: 'static_select',
          selected_option: {
            text: { type: 'plain_text', text: 'Backend engineer', emoji: true },
            value: 'backend',
          },
        },
      },
      day: { value: { type: 'datepicker', selected_date: '2026-03-02' } },
      panel: { value: { type: 'multi_users_select', selected_users: [] } },
    });
    expect(() => emulator.submitViewState(id, { nope: { value: 'x' } })).toThrow(/no element nope\/value/);

    expect(
      emulator.applyViewSubmissionResponse(id, { response_action: 'errors', errors: { email: 'Taken' } }),
    ).toEqual({
      action: 'errors',
      errors: { email: 'Taken' },
    });
    expect(emulator.openModal()?.id).toBe(id);
    expect(emulator.applyViewSubmissionResponse(id, '')).toEqual({ action: 'close' });
    expect(emulator.openModal()).toBeUndefined();
    expect(emulator.violations).toEqual([]);
  });
});
