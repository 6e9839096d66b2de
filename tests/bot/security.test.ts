/** Only Slack can talk to the bot: forged, stale and replayed requests are refused and enqueue nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactionBody, slashCommandBody } from '../../tools/slack-emulator/signing.js';
import { seed, startStack, type TStack } from '../helpers/stack.js';

let s: TStack;
beforeAll(async () => {
  s = await startStack();
  await seed(s.deps, [{ startsAt: new Date(Date.now() + 86_400_000), capacity: 3 }]);
});
afterAll(async () => s.close());

const command = () =>
  slashCommandBody({
    command: '/schedule-interview',
    text: '',
    triggerId: s.slack.issueTriggerId('U_RECRUITER'),
  });

describe('Slack request verification', () => {
  it('rejects a forged signature with 401 and does nothing', async () => {
    const res = await s.send(command(), { secret: 'not-the-signing-secret' });
    expect(res.status).toBe(401);
    expect(s.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('rejects a timestamp older than 5 minutes with 401', async () => {
    const res = await s.send(command(), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(s.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('rejects a replayed request (same signature) with 409', async () => {
    const body = command();
    const ts = Math.floor(Date.now() / 1000);
    const first = await s.send(body, { timestamp: ts });
    expect(first.status).toBe(200);
    const replay = await s.send(body, { timestamp: ts });
    expect(replay.status).toBe(409);
    await s.slack.waitForCall('views.open');
    expect(s.slack.callsTo('views.open')).toHaveLength(1);
  });

  it('answers malformed JSON with 400 and a huge body with 413, and keeps serving', async () => {
    expect((await s.send('payload=%7Bnot-json')).status).toBe(400);
    const huge = interactionBody({ type: 'block_actions', padding: 'x'.repeat(400_000) });
    expect((await s.send(huge)).status).toBe(413);
    expect(await s.deps.queues.queue('booking').count()).toBe(0);
    const ok = await s.send(command());
    expect(ok.status).toBe(200);
  });
});
