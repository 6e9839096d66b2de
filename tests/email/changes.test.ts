import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSessionKey, hashSessionKey } from '../../src/domain/session-key.js';
import type { TEmailJob } from '../../src/infra/queue/jobs/email.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import { sealForInterview } from '../../src/services/interview/candidate-link.js';
import { parseInvite } from './ical.js';
import { createInterview, startEmailEnv, type TEmailEnv, threadReplies } from './setup.js';

let env: TEmailEnv;

beforeAll(async () => {
  env = await startEmailEnv();
  env.startWorker();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => env.smtp.reset());

/** Enqueues an email job and waits until the worker finished it; returns the handler's outcome. */
async function run(payload: TEmailJob, suffix = ''): Promise<unknown> {
  const id = `${emailJobId(payload)}${suffix}`;
  await env.queues.enqueue('email', payload, { jobId: id });
  const job = await env.queues.queue('email').getJob(id);
  await expect.poll(() => job!.getState(), { timeout: 5000 }).toBe('completed');
  return (await env.queues.queue('email').getJob(id))!.returnvalue;
}

describe('changes and reminders', () => {
  it('a reschedule sends an updated invite (same UID, higher SEQUENCE, new link); a cancel sends METHOD:CANCEL', async () => {
    const f = await createInterview(env, {
      timeZone: 'Asia/Kolkata',
      start: new Date('2030-03-04T08:00:00Z'),
    });
    await run({ interviewId: f.interviewId, kind: 'invite', revision: 1 });
    const [first] = await env.smtp.waitFor(1);
    const invite = parseInvite(first!);

    // What the reschedule does: a new time, revision 2, a new key.
    const newKey = generateSessionKey();
    const newStart = new Date('2030-03-05T10:30:00Z');
    await env.db.prisma.interview.update({
      where: { id: f.interviewId },
      data: {
        revision: 2,
        scheduledStart: newStart,
        scheduledEnd: new Date(newStart.getTime() + 45 * 60_000),
        sessionKeyHash: hashSessionKey(newKey),
        sessionKeySealed: sealForInterview(env.deps.config, newKey, f.interviewId),
      },
    });
    await run({ interviewId: f.interviewId, kind: 'update', revision: 2 });
    const [, second] = await env.smtp.waitFor(2);
    expect(second!.parsed.subject).toBe(
      'Updated: your Backend Engineer interview at Acme is now Tue 5 Mar 2030 at 16:00 IST',
    );
    expect(second!.parsed.text).toContain('When:      Tuesday 5 March 2030, 16:00–16:45 IST (UTC+05:30)');
    expect(second!.parsed.text).toContain(`http://portal.test/interview?session_key=${newKey}`);
    expect(second!.parsed.text).not.toContain(f.sessionKey);
    const update = parseInvite(second!);
    expect(update).toMatchObject({ method: 'REQUEST', uid: invite.uid, sequence: 1 });
    expect(update.start.toISOString()).toBe('2030-03-05T10:30:00.000Z');

    // The old revision's reminders are skipped; the new one's are scheduled.
    expect(await run({ interviewId: f.interviewId, kind: 'reminder_1h', revision: 1 }, '-now')).toEqual({
      status: 'skipped',
      reason: 'superseded by revision 2',
    });
    // A skipped email leaves no delivery row behind (its claim is given back).
    expect(
      await env.db.prisma.emailDelivery.count({
        where: { interviewId: f.interviewId, kind: 'reminder_1h', revision: 1 },
      }),
    ).toBe(0);
    const r2 = await env.queues
      .queue('email')
      .getJob(emailJobId({ interviewId: f.interviewId, kind: 'reminder_1h', revision: 2 }));
    expect(await r2?.getState()).toBe('delayed');

    await env.db.prisma.interview.update({
      where: { id: f.interviewId },
      data: { status: 'cancelled', cancelledAt: new Date() },
    });
    await run({ interviewId: f.interviewId, kind: 'cancel', revision: 2 });
    const [, , third] = await env.smtp.waitFor(3);
    expect(third!.parsed.subject).toBe(
      'Cancelled: your Backend Engineer interview at Acme on Tue 5 Mar 2030 at 16:00 IST',
    );
    expect(third!.parsed.text).not.toContain('session_key');
    const cancel = parseInvite(third!);
    expect(cancel).toMatchObject({ method: 'CANCEL', uid: invite.uid, sequence: 2, status: 'CANCELLED' });

    // A reminder of the current revision after the cancel is skipped too.
    expect(await run({ interviewId: f.interviewId, kind: 'reminder_24h', revision: 2 }, '-now')).toEqual({
      status: 'skipped',
      reason: 'interview is cancelled',
    });
    expect(env.smtp.messages).toHaveLength(3);
    await expect
      .poll(() => threadReplies(env, f.threadTs).map((m) => m.text.split(' emailed')[0]))
      .toEqual([':envelope: Invite', ':envelope: Updated invite', ':envelope: Cancellation']);
  });

  it('a reminder for the current revision carries the link and no calendar request', async () => {
    const f = await createInterview(env, {
      timeZone: 'Europe/Berlin',
      start: new Date('2030-04-10T07:00:00Z'),
    });
    expect(await run({ interviewId: f.interviewId, kind: 'reminder_1h', revision: 1 })).toMatchObject({
      status: 'sent',
    });
    const [m] = await env.smtp.waitFor(1);
    expect(m!.parsed.subject).toBe(
      'Reminder: your Backend Engineer interview at Acme starts in 1 hour (09:00 CEST)',
    );
    expect(m!.parsed.text).toContain(`http://portal.test/interview?session_key=${f.sessionKey}`);
    expect(m!.parsed.attachments.filter((a) => a.mimeType.startsWith('text/calendar'))).toEqual([]);
  });

  it('an update that is the first email the candidate gets reads as an invitation; a cancel with no invite sent, or an email for an interview that is gone, is skipped', async () => {
    const f = await createInterview(env, { start: new Date('2030-04-11T07:00:00Z') });
    await env.db.prisma.interview.update({ where: { id: f.interviewId }, data: { revision: 2 } });
    await run({ interviewId: f.interviewId, kind: 'update', revision: 2 });
    const [m] = await env.smtp.waitFor(1);
    expect(m!.parsed.subject).toMatch(/^Interview invitation: Backend Engineer at Acme/);
    expect(parseInvite(m!).sequence).toBe(1);

    const g = await createInterview(env, { start: new Date('2030-04-12T07:00:00Z') });
    await env.db.prisma.interview.update({ where: { id: g.interviewId }, data: { status: 'cancelled' } });
    expect(await run({ interviewId: g.interviewId, kind: 'cancel', revision: 1 })).toEqual({
      status: 'skipped',
      reason: 'the candidate was never sent an invite',
    });
    expect(await env.db.prisma.emailDelivery.count({ where: { interviewId: g.interviewId } })).toBe(0);
    const missing = crypto.randomUUID();
    expect(await run({ interviewId: missing, kind: 'invite', revision: 1 })).toEqual({
      status: 'skipped',
      reason: 'interview not found',
    });
    expect(env.smtp.messages).toHaveLength(1);
  });
});
