/**
 * /schedule-interview end to end: signed requests into the real Bolt app, its
 * WebClient talking to the Slack emulator, bookings through the real queue and
 * database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashSessionKey, openSessionKey } from '../../src/domain/session-key.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import { CHANNEL, RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

const NOW = new Date('2026-03-02T15:00:00Z'); // Mon 2 Mar 2026, 10:00 in New York
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000);

let s: TStack;
let roleId: string;
let slotIds: string[];

beforeAll(async () => {
  s = await startStack({ now: NOW });
  const seeded = await seed(s.deps, [
    { startsAt: hours(24), capacity: 2 },
    { startsAt: hours(48), capacity: 1, seatsTaken: 1 }, // full
    { startsAt: hours(-1), capacity: 3 }, // past
    { startsAt: hours(72), capacity: 3 },
  ]);
  roleId = seeded.role.id;
  slotIds = seeded.slots.map((x) => x.id);
  s.startWorkers(['booking', 'notify']);
});
afterAll(async () => s.close());
beforeEach(() => {
  expect(s.slack.violations).toEqual([]);
});

async function openModal(text = 'ann@example.com') {
  const opened = s.slack.callsTo('views.open').length;
  const res = await s.command('/schedule-interview', text);
  expect(res.status).toBe(200);
  await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
  const view = s.slack.openModal(RECRUITER);
  if (!view) throw new Error('no modal opened');
  return view;
}

function select(value: string) {
  return value;
}

describe('/schedule-interview', () => {
  it('opens the modal with the open future slots (in the recruiter’s zone, seats left) and the email prefilled', async () => {
    const view = await openModal('ann@example.com');
    expect(view.callback_id).toBe('schedule_interview');
    const slotBlock = view.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
      element: { type: string; options: Array<{ text: { text: string }; value: string }> };
    };
    expect(slotBlock.element.type).toBe('static_select');
    // Only the two open future slots, soonest first; full and past ones are not offered.
    expect(slotBlock.element.options.map((o) => o.value)).toEqual([slotIds[0], slotIds[3]]);
    expect(slotBlock.element.options[0]!.text.text).toBe('Tue 3 Mar 2026, 10:00 EST · 30 min · 2 seats left');
    const email = view.blocks.find((b: { block_id?: string }) => b.block_id === 'candidate_email') as {
      element: { initial_value?: string };
    };
    expect(email.element.initial_value).toBe('ann@example.com');
    s.slack.closeView(view.id);
  });

  it('shows inline errors for a malformed email, a full slot and a past slot, and enqueues nothing', async () => {
    const before = await s.deps.queues.queue('booking').count();
    const view = await openModal('');
    // The full and past slots are not in the picker; a recruiter can still hold a stale one.
    const stale = structuredClone(view);
    const res = await s.submit(stale, {
      candidate_name: { candidate_name: 'Ann' },
      candidate_email: { candidate_email: 'ann@@example' },
      candidate_tz: { candidate_tz: { text: 'Asia/Kolkata', value: 'Asia/Kolkata' } },
      role: { role: { text: 'Backend Engineer', value: roleId } },
      slot: { slot: select(slotIds[0]!) },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { candidate_email: 'Enter an email address like name@example.com.' },
    });
    // A slot that filled or passed since the modal opened.
    for (const [slotId, message] of [
      [slotIds[1]!, /That slot has just filled up\. 2 other slots are open/],
      [slotIds[2]!, /That slot has already started\./],
    ] as const) {
      const viewWithSlot = structuredClone(view);
      const slotBlock = viewWithSlot.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
        element: { options: Array<{ text: { type: string; text: string }; value: string }> };
      };
      slotBlock.element.options.push({ text: { type: 'plain_text', text: 'stale' }, value: slotId });
      s.slack.views.get(view.id)!.view = viewWithSlot;
      const r = await s.submit(viewWithSlot, {
        candidate_name: { candidate_name: 'Ann' },
        candidate_email: { candidate_email: 'ann@example.com' },
        candidate_tz: { candidate_tz: { text: 'Asia/Kolkata', value: 'Asia/Kolkata' } },
        role: { role: { text: 'Backend Engineer', value: roleId } },
        slot: { slot: slotId },
      });
      const body = r.json as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(body.errors.slot).toMatch(message);
    }
    expect(await s.deps.queues.queue('booking').count()).toBe(before);
    s.slack.closeView(view.id);
  });

  it('books on submit: confirmation in the channel with <!date>, the link privately to the recruiter, the email job queued', async () => {
    const view = await openModal('bob@example.com');
    const res = await s.submit(view, {
      candidate_name: { candidate_name: 'Bob <!channel> *Builder*' },
      candidate_tz: { candidate_tz: { text: 'Asia/Kolkata', value: 'Asia/Kolkata' } },
      role: { role: { text: 'Backend Engineer', value: roleId } },
      slot: { slot: slotIds[3]! },
      notes: { notes: 'Strong referral' },
    });
    expect(res.status).toBe(200);
    expect(res.json, JSON.stringify(res.json)).toMatchObject({ response_action: 'update' });
    expect(res.ms).toBeLessThan(3000);

    await s.waitForJobs('notify', (c) => c.completed! >= 1);
    const interview = await s.db.prisma.interview.findFirstOrThrow({
      where: { candidate: { email: 'bob@example.com' } },
      include: { slot: true },
    });
    expect(interview.status).toBe('scheduled');
    expect(interview.slot.seatsTaken).toBe(1);
    expect(interview.slackChannelId).toBe(CHANNEL);
    expect(interview.sessionKeyHash).toMatch(/^[0-9a-f]{64}$/);

    const root = s.slack.messagesIn(CHANNEL).find((m) => m.ts === interview.slackThreadTs);
    expect(root).toBeDefined();
    const rootJson = JSON.stringify(root!.blocks);
    expect(rootJson).toContain(`<!date^${Math.floor(interview.scheduledStart.getTime() / 1000)}^`);
    // Typed text is escaped: no channel-wide ping, no formatting injection through the name.
    expect(rootJson).toContain('Bob &lt;!channel&gt; *Builder*');
    expect(rootJson).not.toContain('<!channel>');
    expect(rootJson).not.toContain('session_key');
    expect(rootJson).toContain('Thu 5 Mar 2026, 20:30 IST (UTC+05:30)');

    // The link goes to the recruiter's DM only, and its key is the one whose hash is stored.
    const dm = s.slack.dmChannelFor(RECRUITER).id;
    const note = s.slack.messagesIn(dm).find((m) => JSON.stringify(m.blocks).includes('session_key='));
    expect(note).toBeDefined();
    const key = /session_key=([A-Za-z0-9_-]{43})/.exec(JSON.stringify(note!.blocks))![1]!;
    expect(hashSessionKey(key)).toBe(interview.sessionKeyHash);
    expect(JSON.stringify(note!.blocks)).toContain('http://portal.test/interview?session_key=');

    // The email job waits for its worker with ids only; the same key is sealed on the interview.
    const emailJob = await s.deps.queues
      .queue('email')
      .getJob(emailJobId({ interviewId: interview.id, kind: 'invite', revision: 1 }));
    expect(emailJob?.data).toEqual({ interviewId: interview.id, kind: 'invite', revision: 1 });
    expect(openSessionKey(interview.sessionKeySealed!, s.config.candidateLinks.secret!, interview.id)).toBe(
      key,
    );
    expect(await s.deps.queues.queue('prepare').getJob(`prepare-${interview.id}-r1`)).toBeDefined();
  });

  it('books once when the same submission arrives twice', async () => {
    const view = await openModal('cara@example.com');
    const values = {
      candidate_name: { candidate_name: 'Cara' },
      candidate_tz: { candidate_tz: { text: 'Europe/London', value: 'Europe/London' } },
      role: { role: { text: 'Backend Engineer', value: roleId } },
      slot: { slot: slotIds[0]! },
    };
    const [a, b] = await Promise.all([
      s.submit(structuredClone(view), values),
      s.submit(structuredClone(view), values),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await s.waitForJobs('booking', (c) => c.active === 0 && c.waiting === 0);
    expect(await s.db.prisma.interview.count({ where: { candidate: { email: 'cara@example.com' } } })).toBe(
      1,
    );
    const slot = await s.db.prisma.slot.findUniqueOrThrow({ where: { id: slotIds[0]! } });
    expect(slot.seatsTaken).toBe(1);
  });

  it('tells the recruiter, with the slots still open, when the seat went before the booking ran', async () => {
    const full = await s.db.prisma.slot.create({
      data: { startsAt: hours(30), durationMinutes: 45, capacity: 1, timeZone: 'UTC' },
    });
    const view = await openModal('dan@example.com');
    const slotBlock = view.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
      element: { options: Array<{ value: string }> };
    };
    expect(slotBlock.element.options.map((o) => o.value)).toContain(full.id);
    await s.stopWorkers();
    const res = await s.submit(view, {
      candidate_name: { candidate_name: 'Dan' },
      candidate_tz: { candidate_tz: { text: 'UTC', value: 'UTC' } },
      role: { role: { text: 'Backend Engineer', value: roleId } },
      slot: { slot: full.id },
    });
    expect((res.json as { response_action: string }).response_action).toBe('update');
    // Someone else takes the last seat before the worker gets to it.
    await s.db.prisma.slot.update({ where: { id: full.id }, data: { seatsTaken: 1 } });
    s.startWorkers(['booking', 'notify']);
    const dm = s.slack.dmChannelFor(RECRUITER).id;
    await s.slack.waitForCall('chat.postMessage', {
      where: (c) => String(c.args.text ?? '').startsWith('Could not book Dan'),
    });
    const warning = s.slack.messagesIn(dm).find((m) => m.text.startsWith('Could not book Dan'))!;
    expect(warning.text).toBe('Could not book Dan: the slot filled up before the booking went through.');
    expect(JSON.stringify(warning.blocks)).toContain('Slots still open');
    expect(await s.db.prisma.interview.count({ where: { slotId: full.id } })).toBe(0);
  });
});

describe('a channel the app cannot post in', () => {
  it('keeps the booking and sends the confirmation to the recruiter’s DM, saying how to fix it', async () => {
    const opened = s.slack.callsTo('views.open').length;
    await s.command('/schedule-interview', 'gil@example.com', { channel: 'C_SECRET' });
    await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
    const view = s.slack.openModal(RECRUITER)!;
    await s.submit(view, {
      candidate_name: { candidate_name: 'Gil' },
      candidate_tz: { candidate_tz: { text: 'UTC', value: 'UTC' } },
      role: { role: { text: 'Backend Engineer', value: roleId } },
      slot: { slot: slotIds[3]! },
    });
    const dm = s.slack.dmChannelFor(RECRUITER).id;
    const deadline = Date.now() + 10_000;
    let interview = await s.db.prisma.interview.findFirst({
      where: { candidate: { email: 'gil@example.com' } },
    });
    while (!interview?.slackThreadTs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      interview = await s.db.prisma.interview.findFirst({
        where: { candidate: { email: 'gil@example.com' } },
      });
    }
    expect(interview?.slackChannelId).toBe(dm);
    const root = s.slack.messagesIn(dm).find((m) => m.ts === interview!.slackThreadTs)!;
    expect(JSON.stringify(root.blocks)).toContain(
      'Panelist could not post in <#C_SECRET> (channel_not_found)',
    );
    s.slack.violations.splice(0);
  });
});
