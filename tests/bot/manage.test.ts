/**
 * Cancel and reschedule (each clicked twice), slot management, time zones in
 * the picker across DST changes, options search, App Home.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionKey, openSessionKey } from '../../src/domain/session-key.js';
import { emailJobId } from '../../src/infra/queue/jobs/email.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { CHANNEL, RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

let s: TStack;
let roleId: string;
let slotIds: string[];
const NOW = new Date('2026-03-06T12:00:00Z');
const day = (d: number) => new Date(NOW.getTime() + d * 86_400_000);

beforeAll(async () => {
  s = await startStack({ now: NOW });
  s.slack.addUser({ id: 'U_DELHI', name: 'dev', tz: 'Asia/Kolkata' });
  s.slack.addUser({ id: 'U_LORD', name: 'lh', tz: 'Australia/Lord_Howe' });
  const seeded = await seed(s.deps, [
    { startsAt: day(1), capacity: 1 },
    { startsAt: day(2), capacity: 2 },
    { startsAt: day(3), capacity: 1 },
  ]);
  roleId = seeded.role.id;
  slotIds = seeded.slots.map((x) => x.id);
  s.startWorkers(['booking', 'notify']);
});
afterAll(async () => s.close());

async function openModal(command: string, user = RECRUITER, text = '') {
  const opened = s.slack.callsTo('views.open').length;
  expect((await s.command(command, text, { user })).status).toBe(200);
  await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
  return s.slack.openModal(user)!;
}

async function book(email: string, slotId: string): Promise<{ interviewId: string; root: SlackMessage }> {
  const view = await openModal('/schedule-interview', RECRUITER, email);
  const res = await s.submit(view, {
    candidate_name: { candidate_name: 'Erin' },
    candidate_tz: { candidate_tz: { text: 'UTC', value: 'UTC' } },
    role: { role: { text: 'Backend Engineer', value: roleId } },
    slot: { slot: slotId },
  });
  expect(res.json).toMatchObject({ response_action: 'update' });
  s.slack.closeView(view.id);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const i = await s.db.prisma.interview.findFirst({ where: { candidate: { email } } });
    if (i?.slackThreadTs) {
      return { interviewId: i.id, root: s.slack.messagesIn(CHANNEL).find((m) => m.ts === i.slackThreadTs)! };
    }
    if (Date.now() > deadline) throw new Error('not booked');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const seats = async (id: string) => (await s.db.prisma.slot.findUniqueOrThrow({ where: { id } })).seatsTaken;

describe('cancel', () => {
  it('frees the seat once, updates the message and queues one cancellation email, even when clicked twice', async () => {
    const { interviewId, root } = await book('erin@example.com', slotIds[0]!);
    expect(await seats(slotIds[0]!)).toBe(1);
    const [a, b] = await Promise.all([
      s.clickInMessage(CHANNEL, root, 'interview_cancel'),
      s.clickInMessage(CHANNEL, root, 'interview_cancel'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await s.slack.waitForCall('chat.postEphemeral');
    for (
      let i = 0;
      i < 100 && !(await s.deps.queues.queue('email').getJob(`email-${interviewId}-cancel-r1`));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const interview = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    expect(interview.status).toBe('cancelled');
    expect(await seats(slotIds[0]!)).toBe(0);
    const emails = await s.deps.queues.queue('email').getJobs(['waiting', 'delayed', 'active', 'completed']);
    expect(emails.filter((j) => j.data.kind === 'cancel' && j.data.interviewId === interviewId)).toHaveLength(
      1,
    );
    const updated = s.slack.messagesIn(CHANNEL).find((m) => m.ts === root.ts)!;
    expect(JSON.stringify(updated.blocks)).toContain('Cancelled');
    expect(JSON.stringify(updated.blocks)).not.toContain('interview_cancel');
    const thread = s.slack.thread(CHANNEL, root.ts).map((m) => m.text);
    expect(thread.filter((t) => t.startsWith(':x: Cancelled by'))).toHaveLength(1);
    const ephemeral = s.slack.ephemeralsFor(RECRUITER).map((m) => m.text);
    expect(ephemeral).toContain('This interview is already cancelled; nothing was changed.');
  });
});

describe('reschedule', () => {
  it('moves the interview once, rotates the key and queues one updated invite, even when submitted twice', async () => {
    const { interviewId, root } = await book('finn@example.com', slotIds[1]!);
    const before = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    const opened = s.slack.callsTo('views.open').length;
    // Two clicks open two reschedule forms; both are submitted.
    await s.clickInMessage(CHANNEL, root, 'interview_reschedule');
    await s.clickInMessage(CHANNEL, root, 'interview_reschedule');
    await s.slack.waitForCall('views.open', {
      where: () => s.slack.callsTo('views.open').length >= opened + 2,
    });
    const forms = s.slack
      .callsTo('views.open')
      .slice(-2)
      .map((_c) => s.slack.lastView(RECRUITER)!);
    const views = [...s.slack.views.values()]
      .filter((v) => v.view.callback_id === 'reschedule_interview')
      .map((v) => v.view);
    expect(views.length).toBeGreaterThanOrEqual(2);
    expect(forms).toHaveLength(2);
    const slotBlock = views[0]!.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
      element: { options: Array<{ value: string }> };
    };
    // The interview's own slot is not offered.
    expect(slotBlock.element.options.map((o) => o.value)).toEqual([slotIds[0], slotIds[2]]);
    const first = await s.submit(views[0]!, { slot: { slot: slotIds[2]! } });
    expect(first.status).toBe(200);
    expect(first.body).toBe('');
    await s.waitForJobs('booking', (c) => c.active === 0 && c.waiting === 0);
    await s.slack.waitForCall('chat.postMessage', {
      where: (c) => String(c.args.text).startsWith(':calendar: Rescheduled'),
    });
    const second = await s.submit(views[1]!, { slot: { slot: slotIds[0]! } });
    expect(second.json).toMatchObject({
      response_action: 'errors',
      errors: {
        slot: 'This interview was rescheduled in the meantime. Close this form to see its new time.',
      },
    });
    const after = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    expect(after.slotId).toBe(slotIds[2]);
    expect(after.revision).toBe(2);
    expect(after.sessionKeyHash).not.toBe(before.sessionKeyHash);
    expect(await seats(slotIds[1]!)).toBe(0);
    expect(await seats(slotIds[2]!)).toBe(1);
    // The notify job queues the email after its Slack posts: wait for it.
    const updateId = emailJobId({ interviewId, kind: 'update', revision: 2 });
    await expect.poll(() => s.deps.queues.queue('email').getJob(updateId), { timeout: 10_000 }).toBeDefined();
    const update = await s.deps.queues.queue('email').getJob(updateId);
    // The job names the email; the new key is sealed on the interview and matches its hash.
    expect(update!.data).toEqual({ interviewId, kind: 'update', revision: 2 });
    expect(
      hashSessionKey(openSessionKey(after.sessionKeySealed!, s.config.candidateLinks.secret!, interviewId)),
    ).toBe(after.sessionKeyHash);
    const thread = s.slack.thread(CHANNEL, root.ts).map((m) => m.text);
    expect(thread.filter((t) => t.startsWith(':calendar: Rescheduled'))).toHaveLength(1);
  });
});

describe('slot picker time zones across DST changes', () => {
  it('labels slots in each recruiter’s own zone: New York on its switch day, Kolkata, Lord Howe', async () => {
    // 2026-03-08: New York springs forward at 02:00 local. Lord Howe moves by 30 minutes on 2026-04-05.
    const before = new Date('2026-03-08T06:30:00Z'); // 01:30 EST
    const after = new Date('2026-03-08T07:30:00Z'); // 03:30 EDT (one hour later in UTC)
    const lhBefore = new Date('2026-04-04T14:00:00Z'); // 01:00 LHDT (+11)
    const lhAfter = new Date('2026-04-05T14:00:00Z'); // 00:30 LHST (+10:30)
    const created = await Promise.all(
      [before, after, lhBefore, lhAfter].map((startsAt) =>
        s.db.prisma.slot.create({ data: { startsAt, durationMinutes: 30, capacity: 1, timeZone: 'UTC' } }),
      ),
    );
    const label = async (user: string, slotId: string) => {
      const view = await openModal('/schedule-interview', user);
      s.slack.closeView(view.id);
      const block = view.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
        element: { options: Array<{ value: string; text: { text: string } }> };
      };
      return block.element.options.find((o) => o.value === slotId)?.text.text;
    };
    expect(await label(RECRUITER, created[0]!.id)).toBe('Sun 8 Mar 2026, 01:30 EST · 30 min · 1 seat left');
    expect(await label(RECRUITER, created[1]!.id)).toBe('Sun 8 Mar 2026, 03:30 EDT · 30 min · 1 seat left');
    expect(await label('U_DELHI', created[0]!.id)).toBe('Sun 8 Mar 2026, 12:00 IST · 30 min · 1 seat left');
    expect(await label('U_LORD', created[2]!.id)).toBe('Sun 5 Apr 2026, 01:00 LHDT · 30 min · 1 seat left');
    expect(await label('U_LORD', created[3]!.id)).toBe('Mon 6 Apr 2026, 00:30 LHST · 30 min · 1 seat left');
  });

  it('searches time zones for the candidate picker', async () => {
    const view = await openModal('/schedule-interview');
    s.slack.closeView(view.id);
    const res = await s.suggest(view, 'candidate_tz', 'kolk');
    const options = (res.json as { options: Array<{ value: string; text: { text: string } }> }).options;
    expect(options.map((o) => o.value)).toEqual(['Asia/Kolkata']);
    expect(options[0]!.text.text).toBe('Asia/Kolkata (IST (UTC+05:30))');
    const roles = await s.suggest(view, 'role', 'back');
    expect((roles.json as { options: Array<{ value: string }> }).options.map((o) => o.value)).toEqual([
      roleId,
    ]);
  });
});

describe('/interview-slots', () => {
  it('adds a slot repeated on the next weekdays in the chosen zone, lists it, and closes one', async () => {
    const view = await openModal('/interview-slots');
    expect(view.callback_id).toBe('manage_slots');
    const res = await s.submit(view, {
      slot_date: { slot_date: '2026-03-13' }, // a Friday
      slot_time: { slot_time: '09:00' },
      slot_duration: { slot_duration: '45' },
      slot_capacity: { slot_capacity: '4' },
      slot_tz: { slot_tz: { text: 'Europe/London', value: 'Europe/London' } },
      slot_repeat: { slot_repeat: '3' },
    });
    const body = res.json as { response_action: string; view: { blocks: unknown[] } };
    expect(body.response_action).toBe('update');
    expect(JSON.stringify(body.view.blocks)).toContain('Added 3 slots.');
    const added = await s.db.prisma.slot.findMany({
      where: { durationMinutes: 45 },
      orderBy: { startsAt: 'asc' },
    });
    // Fri 13, Mon 16, Tue 17 March at 09:00 London (GMT, UTC+0 until 29 March).
    expect(added.map((x) => x.startsAt.toISOString())).toEqual([
      '2026-03-13T09:00:00.000Z',
      '2026-03-16T09:00:00.000Z',
      '2026-03-17T09:00:00.000Z',
    ]);
    expect(added.every((x) => x.capacity === 4 && x.timeZone === 'Europe/London')).toBe(true);

    const list = await openModal('/interview-slots');
    const closeRes = await s.clickInView(list, 'slot_close', added[0]!.id);
    expect(closeRes.status).toBe(200);
    await s.slack.waitForCall('views.update');
    expect(
      (await s.db.prisma.slot.findUniqueOrThrow({ where: { id: added[0]!.id } })).closedAt,
    ).not.toBeNull();
    expect(JSON.stringify(s.slack.views.get(list.id)!.view.blocks)).toContain('Slot closed.');
  });

  it('refuses a time in the past with an inline error', async () => {
    const view = await openModal('/interview-slots');
    const res = await s.submit(view, {
      slot_date: { slot_date: '2026-03-05' },
      slot_time: { slot_time: '09:00' },
      slot_duration: { slot_duration: '30' },
      slot_capacity: { slot_capacity: '1' },
      slot_tz: { slot_tz: { text: 'UTC', value: 'UTC' } },
      slot_repeat: { slot_repeat: '1' },
    });
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { slot_time: 'That time has passed. Pick a time in the future.' },
    });
  });
});

describe('App Home', () => {
  it('publishes upcoming interviews and roles', async () => {
    const { appHomeOpenedEvent, eventCallbackBody } = await import('../../tools/slack-emulator/signing.js');
    const res = await s.send(eventCallbackBody({ event: appHomeOpenedEvent({ user: RECRUITER }) }));
    expect(res.status).toBe(200);
    const call = await s.slack.waitForCall('views.publish');
    const json = JSON.stringify(call.args);
    expect(json).toContain('Backend Engineer');
    expect(json).toContain('Erin');
    expect(s.slack.violations).toEqual([]);
  });

  it('links each interview to its thread and transcript, and switches between upcoming and awaiting a decision', async () => {
    const { appHomeOpenedEvent, eventCallbackBody } = await import('../../tools/slack-emulator/signing.js');
    const home = () =>
      [...s.slack.views.values()].find((v) => v.view.type === 'home' && v.userId === RECRUITER)!;
    const published = () => s.slack.callsTo('views.publish').length;
    const erin = await s.db.prisma.interview.findFirstOrThrow({
      where: {
        candidate: { name: { startsWith: 'Erin' } },
        status: 'scheduled',
        slackThreadTs: { not: null },
      },
    });
    const before = published();
    await s.send(eventCallbackBody({ event: appHomeOpenedEvent({ user: RECRUITER }) }));
    await s.slack.waitForCall('views.publish', { where: () => published() > before });
    let text = JSON.stringify(home().view.blocks);
    // The list buttons, "Upcoming" the current one; Erin's line links to the thread (Slack permalink).
    const buttons = (v = home().view) =>
      (
        v.blocks.find((b: { block_id?: string }) => b.block_id === 'home_lists') as {
          elements: Array<{ text: { text: string }; style?: string }>;
        }
      ).elements.map((e) => `${e.text.text}${e.style === 'primary' ? ' (shown)' : ''}`);
    expect(buttons()).toEqual(['Upcoming (shown)', 'Awaiting a decision']);
    const permalink = `/archives/${CHANNEL}/p${erin.slackThreadTs!.replace('.', '')}|Thread>`;
    expect(text).toContain(permalink);
    expect(text).not.toContain('|Transcript>');

    // Erin's interview ends; no one has decided yet: it is in "Awaiting a decision", with its transcript.
    await s.db.prisma.interview.update({
      where: { id: erin.id },
      data: {
        status: 'completed',
        endReason: 'finished',
        startedAt: erin.scheduledStart,
        endedAt: erin.scheduledEnd,
      },
    });
    const clicked = published();
    const res = await s.clickInView(home().view, 'home_list_decision');
    expect(res.status).toBe(200);
    await s.slack.waitForCall('views.publish', { where: () => published() > clicked });
    text = JSON.stringify(home().view.blocks);
    expect(buttons()).toEqual(['Upcoming', 'Awaiting a decision (shown)']);
    expect(text).toContain('Erin');
    expect(text).toContain(permalink);
    expect(text).toMatch(
      new RegExp(`<http://[^|]+/transcripts/${erin.id}\\?exp=\\d+&sig=[^|]+\\|Transcript>`),
    );

    // Once advanced, it leaves the list.
    await s.db.prisma.event.create({
      data: { interviewId: erin.id, type: 'decision.advanced', actor: `slack:${RECRUITER}`, data: {} },
    });
    const again = published();
    await s.clickInView(home().view, 'home_list_decision');
    await s.slack.waitForCall('views.publish', { where: () => published() > again });
    expect(JSON.stringify(home().view.blocks)).not.toContain('Erin');
    expect(JSON.stringify(home().view.blocks)).toContain('No ended interview is waiting for a decision');
    expect(s.slack.violations).toEqual([]);
  });
});

describe('the scheduling message follows the interview', () => {
  it('shows "In progress" without the buttons once the candidate starts, then that it ended early after 0 of 6 questions', async () => {
    const { startInterview, finishInterview } = await import('../../src/services/interview/conduct.js');
    const { refreshRootMessage } = await import('../../src/services/booking/scheduling-message.js');
    const { interviewId, root } = await book('ivy@example.com', slotIds[1]!);
    const interview = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    const updates: Array<Promise<void>> = [];
    const deps = {
      ...s.deps,
      now: () => new Date(interview.scheduledStart.getTime() + 60_000),
      onInterviewStatusChange: (id: string) => {
        updates.push(refreshRootMessage(id, { prisma: s.deps.prisma, slack: s.deps.slack }));
      },
    };
    await startInterview(deps, interviewId);
    await Promise.all(updates);
    let message = JSON.stringify(s.slack.messagesIn(CHANNEL).find((m) => m.ts === root.ts)!.blocks);
    expect(message).toContain('In progress');
    expect(message).not.toContain('interview_cancel');
    expect(message).not.toContain('interview_reschedule');
    await finishInterview(deps, interviewId, 'finished');
    await Promise.all(updates);
    message = JSON.stringify(s.slack.messagesIn(CHANNEL).find((m) => m.ts === root.ts)!.blocks);
    // Ended by the candidate before any answer: it says so, rather than "Interview completed".
    expect(message).toContain('*Status*\\n:checkered_flag: Interview ended early after 0 of 6 questions');
    expect(updates).toHaveLength(2);
  });
});
