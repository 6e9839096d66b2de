import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
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

async function invite(f: { interviewId: string; sessionKey: string }) {
  await env.queues.enqueue(
    'email',
    { interviewId: f.interviewId, kind: 'invite', revision: 1 },
    { jobId: emailJobId({ interviewId: f.interviewId, kind: 'invite', revision: 1 }) },
  );
}

function header(mail: { parsed: { headers: Array<{ key: string; value: string }> } }, key: string) {
  return mail.parsed.headers.filter((h) => h.key === key.toLowerCase()).map((h) => h.value);
}

describe('the invite', () => {
  it('reaches the candidate with the time in their zone, the link, both bodies and a calendar request', async () => {
    const start = new Date('2030-06-12T13:30:00Z');
    const f = await createInterview(env, {
      candidateName: 'Ann Lee',
      email: 'ann.lee@example.com',
      timeZone: 'America/New_York',
      roleTitle: 'Backend Engineer',
      start,
      minutes: 45,
    });
    await invite(f);
    const [mail] = await env.smtp.waitFor(1);
    const m = mail!;
    const link = `http://portal.test/interview?session_key=${f.sessionKey}`;

    expect(m.envelope.rcptTo).toEqual(['ann.lee@example.com']);
    expect(m.parsed.subject).toBe(
      'Interview invitation: Backend Engineer at Acme, Wed 12 Jun 2030 at 09:30 EDT',
    );
    expect(m.parsed.from).toEqual({ name: 'Acme Interviews', address: 'interviews@acme.test' });
    expect(m.parsed.to).toEqual([{ name: 'Ann Lee', address: 'ann.lee@example.com' }]);
    expect(m.parsed.replyTo).toEqual([{ name: '', address: 'rita@acme.test' }]);
    expect(m.parsed.messageId).toBe(`<panelist.${f.interviewId}.invite.r1@acme.test>`);

    const text = m.parsed.text ?? '';
    expect(text).toContain('Hello Ann Lee,');
    expect(text).toContain('Acme invites you to an interview for the Backend Engineer role.');
    expect(text).toContain('When:      Wednesday 12 June 2030, 09:30–10:15 EDT (UTC-04:00)');
    expect(text).toContain('Duration:  45 minutes');
    expect(text).toContain(link);
    expect(text).toContain(
      'The link opens at 09:15 (15 minutes before the start) so you can check your camera and microphone. You can start the interview from 09:25 until 10:25 EDT.',
    );
    expect(text).toContain('type your answers');
    expect(text).toContain('reply to this email: it goes to rita@acme.test');

    const html = m.parsed.html ?? '';
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain(
      'Wednesday 12 June 2030, 09:30–10:15 <span style="white-space:nowrap">EDT (UTC-04:00)</span>',
    );
    expect(html).toContain('<table role="presentation"');

    const cal = parseInvite(m);
    expect(cal.method).toBe('REQUEST');
    expect(cal.uid).toBe(`interview-${f.interviewId}@acme.test`);
    expect(cal.sequence).toBe(0);
    expect(cal.start.toISOString()).toBe('2030-06-12T13:30:00.000Z');
    expect(cal.end.toISOString()).toBe('2030-06-12T14:15:00.000Z');
    expect(cal.raw.replace(/\r?\n[ \t]/g, '')).toContain(link);

    // Recorded, noted in the thread, reminders scheduled.
    await expect
      .poll(
        async () =>
          (await env.db.prisma.emailDelivery.findFirst({ where: { interviewId: f.interviewId } }))?.status,
      )
      .toBe('sent');
    const row = await env.db.prisma.emailDelivery.findFirstOrThrow({ where: { interviewId: f.interviewId } });
    expect(row.messageId).toBe(`<panelist.${f.interviewId}.invite.r1@acme.test>`);
    const events = await env.db.prisma.event.findMany({ where: { interviewId: f.interviewId } });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      // Which candidate notice the invite carried (issue 14): no model in this test.
      [
        'email.sent',
        { kind: 'invite', revision: 1, messageId: row.messageId, noticeVersion: '2026-12-03.no-model' },
      ],
    ]);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('ann.lee@');
    await expect.poll(() => threadReplies(env, f.threadTs).length).toBe(1);
    expect(threadReplies(env, f.threadTs)[0]!.text).toMatch(
      /^:envelope: Invite emailed to Ann Lee \(ann\.lee@example\.com\) at <!date\^\d+\^/,
    );
    const getJob = (kind: 'reminder_24h' | 'reminder_1h') =>
      env.queues.queue('email').getJob(emailJobId({ interviewId: f.interviewId, kind: kind, revision: 1 }));
    await expect.poll(async () => (await getJob('reminder_1h'))?.getState()).toBe('delayed');
    const r24 = await getJob('reminder_24h');
    const r1 = await getJob('reminder_1h');
    expect(await r24?.getState()).toBe('delayed');
    expect(r24!.timestamp + r24!.opts.delay!).toBeGreaterThan(start.getTime() - 24 * 3600_000 - 60_000);
    expect(r24!.timestamp + r24!.opts.delay!).toBeLessThanOrEqual(start.getTime() - 24 * 3600_000 + 1000);
    // The reminder carries ids only: its link is opened from the interview row when it is sent.
    expect(r1!.data).toEqual({ interviewId: f.interviewId, kind: 'reminder_1h', revision: 1 });
    // The session key never reaches a visible Slack message.
    expect(JSON.stringify(env.slack.messages)).not.toContain(f.sessionKey);
  });

  it('shows the zone in force on a DST change day (New York, spring forward)', async () => {
    // 8 March 2026: New York moves from EST to EDT at 02:00; 14:00Z is 10:00 EDT that day.
    const f = await createInterview(env, {
      timeZone: 'America/New_York',
      start: new Date('2026-03-08T14:00:00Z'),
      minutes: 30,
    });
    await invite(f);
    const [m] = await env.smtp.waitFor(1);
    expect(m!.parsed.text).toContain('When:      Sunday 8 March 2026, 10:00–10:30 EDT (UTC-04:00)');
    expect(m!.parsed.subject).toContain('Sun 8 Mar 2026 at 10:00 EDT');
    expect(parseInvite(m!).start.toISOString()).toBe('2026-03-08T14:00:00.000Z');
  });

  it('shows both zone names when an interview spans the clock change (London, fall back)', async () => {
    // 25 October 2026: London goes from BST to GMT at 01:00 UTC. 00:30Z–01:30Z is 01:30 BST – 01:30 GMT.
    const f = await createInterview(env, {
      timeZone: 'Europe/London',
      start: new Date('2026-10-25T00:30:00Z'),
      minutes: 60,
    });
    await invite(f);
    const [m] = await env.smtp.waitFor(1);
    expect(m!.parsed.text).toContain(
      'When:      Sunday 25 October 2026, 01:30 BST (UTC+01:00) – 01:30 GMT (UTC+00:00)',
    );
  });

  it('keeps control characters out of headers and escapes HTML', async () => {
    const f = await createInterview(env, {
      candidateName: 'Eve\r\nBcc: victim@evil.test <script>alert(1)</script>',
      email: 'eve@example.com',
      roleTitle: 'Ops\r\nX-Injected: yes\u0007',
      start: new Date('2030-07-01T09:00:00Z'),
      recruiterEmail: null,
    });
    await invite(f);
    const [m] = await env.smtp.waitFor(1);
    expect(m!.envelope.rcptTo).toEqual(['eve@example.com']);
    expect(header(m!, 'bcc')).toEqual([]);
    expect(header(m!, 'x-injected')).toEqual([]);
    expect(header(m!, 'reply-to')).toEqual([]);
    expect(m!.parsed.subject).toBe(
      'Interview invitation: Ops X-Injected: yes at Acme, Mon 1 Jul 2030 at 11:00 CEST',
    );
    expect(m!.parsed.to?.[0]?.name).toBe('Eve Bcc: victim@evil.test <script>alert(1)</script>');
    const html = m!.parsed.html ?? '';
    expect(html).not.toContain('<script>');
    expect(html).toContain('Hello Eve Bcc: victim@evil.test &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(m!.parsed.text).toContain("If the link doesn't work, reply to this email and we'll help.");
    // Header lines never contain a bare CR or LF from user input.
    const head = m!.raw.toString('utf8').split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  });

  it('sends once when the same invite job arrives twice or runs again after success', async () => {
    const f = await createInterview(env, { start: new Date('2030-08-01T09:00:00Z') });
    await invite(f);
    await invite(f); // same job id while the first exists: BullMQ keeps one
    await env.smtp.waitFor(1);
    await expect
      .poll(
        async () =>
          (await env.db.prisma.emailDelivery.findFirst({ where: { interviewId: f.interviewId } }))?.status,
      )
      .toBe('sent');
    // A duplicate under another job id (e.g. a replayed booking) is stopped by the database.
    await env.queues.enqueue(
      'email',
      { interviewId: f.interviewId, kind: 'invite', revision: 1 },
      { jobId: `${emailJobId({ interviewId: f.interviewId, kind: 'invite', revision: 1 })}-dup` },
    );
    const dup = await env.queues
      .queue('email')
      .getJob(`${emailJobId({ interviewId: f.interviewId, kind: 'invite', revision: 1 })}-dup`);
    await expect.poll(async () => dup!.getState()).toBe('completed');
    expect((await env.queues.queue('email').getJob(dup!.id!))?.returnvalue).toEqual({
      status: 'already_sent',
      messageId: `<panelist.${f.interviewId}.invite.r1@acme.test>`,
    });
    expect(env.smtp.messages).toHaveLength(1);
    expect(threadReplies(env, f.threadTs)).toHaveLength(1);
  });
});
