/**
 * Retention and deletion on request, against a real database and the real Bolt app: old finished
 * interviews lose their transcript, quotes and notes (scores stay), a candidate's name and email go
 * once nothing of theirs is left, and a recruiter can delete one candidate's data with
 * /interview-delete, confirmed in a dialog and recorded in the event log.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scheduleRetention } from '../../src/ops/retention-schedule.js';
import { applyRetention, DELETED_NAME, DELETED_TEXT, deletedEmail } from '../../src/services/retention.js';
import { RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600_000);
const QUOTE = 'I rebuilt the billing pipeline around an outbox table';

let s: TStack;
let roleId: string;
let slotId: string;

beforeAll(async () => {
  s = await startStack({ now: NOW, config: { retentionDays: 30 } });
  const seeded = await seed(s.deps, [{ startsAt: daysAgo(60), capacity: 50 }]);
  roleId = seeded.role.id;
  slotId = seeded.slots[0]!.id;
});
afterAll(async () => s.close());
beforeEach(() => {
  expect(s.slack.violations).toEqual([]);
});

async function candidateWith(
  name: string,
  email: string,
  interviews: Array<{ endedDaysAgo: number; status: 'evaluated' | 'completed' | 'scheduled' | 'expired' }>,
) {
  const candidate = await s.deps.prisma.candidate.create({
    data: { name, email, timeZone: 'Europe/Berlin' },
  });
  const ids: string[] = [];
  for (const i of interviews) {
    const end = daysAgo(i.endedDaysAgo);
    const interview = await s.deps.prisma.interview.create({
      data: {
        status: i.status,
        candidateId: candidate.id,
        roleId,
        slotId,
        scheduledStart: new Date(end.getTime() - 30 * 60_000),
        scheduledEnd: end,
        sessionKeyHash: randomBytes(32).toString('hex'),
        bookingRequestId: randomBytes(8).toString('hex'),
        recruiterSlackUser: RECRUITER,
        slackChannelId: 'C_RECRUITING',
        notes: `Referred by ${name}'s former manager`,
        questionPlan: [{ text: 'Tell me about a migration you led.', competency: 'system_design' }],
        turns: {
          create: [
            {
              seq: 0,
              planIndex: 0,
              question: 'Tell me about a migration you led.',
              answerText: `${QUOTE}.`,
              answerMode: 'typed',
            },
          ],
        },
        evaluations: {
          create: [
            {
              version: 1,
              status: 'succeeded',
              result: {
                competencies: [
                  { key: 'system_design', score: 3, rationale: `Said "${QUOTE}"`, evidence: [QUOTE] },
                ],
                strengths: ['Concrete'],
                concerns: [],
                recommendation: 'hire',
                confidence: 'medium',
                summary: `${name} explained the outbox.`,
                injection_attempts: [],
              },
            },
          ],
        },
      },
    });
    ids.push(interview.id);
  }
  return { candidate, ids };
}

async function snapshot(interviewId: string) {
  return s.deps.prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: { turns: true, evaluations: true, candidate: true, events: { where: { type: 'data.deleted' } } },
  });
}

describe('retention', () => {
  it('redacts finished interviews older than RETENTION_DAYS once, even when two runs race; keeps scores; spares recent ones', async () => {
    const ann = await candidateWith('Ann Old', 'ann@example.com', [
      { endedDaysAgo: 40, status: 'evaluated' },
    ]);
    const bob = await candidateWith('Bob Recent', 'bob@example.com', [
      { endedDaysAgo: 10, status: 'completed' },
    ]);
    const cat = await candidateWith('Cat Both', 'cat@example.com', [
      { endedDaysAgo: 45, status: 'expired' },
      { endedDaysAgo: 5, status: 'evaluated' },
    ]);

    const [a, b] = await Promise.all([applyRetention(s.deps), applyRetention(s.deps)]);
    expect(a.interviews + b.interviews).toBe(2);
    expect(a.candidates + b.candidates).toBe(1);

    const old = await snapshot(ann.ids[0]!);
    expect(old.redactedAt).toEqual(NOW);
    expect(old.notes).toBe('');
    expect(old.questionPlan).toBeNull();
    expect(old.turns.map((t) => [t.question, t.answerText])).toEqual([[DELETED_TEXT, null]]);
    const result = old.evaluations[0]!.result as Record<string, unknown>;
    expect(JSON.stringify(result)).not.toContain('billing');
    expect(JSON.stringify(result)).not.toContain('Ann');
    expect(result).toMatchObject({
      competencies: [{ key: 'system_design', score: 3, evidence: [] }],
      recommendation: 'hire',
      redacted: true,
    });
    expect(old.candidate).toMatchObject({ name: DELETED_NAME, email: deletedEmail(ann.candidate.id) });
    expect(old.events.map((e) => [e.actor, e.data])).toEqual([
      ['system', { reason: 'retention', turns: 1, evaluations: 1 }],
    ]);

    const recent = await snapshot(bob.ids[0]!);
    expect(recent.redactedAt).toBeNull();
    expect(recent.turns[0]!.answerText).toBe(`${QUOTE}.`);
    expect(recent.candidate.email).toBe('bob@example.com');

    // Cat's old interview is redacted; her name stays while a recent one still holds data.
    expect((await snapshot(cat.ids[0]!)).redactedAt).toEqual(NOW);
    const catRecent = await snapshot(cat.ids[1]!);
    expect(catRecent.redactedAt).toBeNull();
    expect(catRecent.candidate.name).toBe('Cat Both');

    expect(await applyRetention(s.deps)).toEqual({ interviews: 0, candidates: 0 });
  });
});

describe('the daily retention job', () => {
  it('is scheduled once however often workers start, and the maintenance worker runs it', async () => {
    await scheduleRetention(s.deps.queues);
    await scheduleRetention(s.deps.queues);
    const schedulers = await s.deps.queues.queue('maintenance').getJobSchedulers();
    expect(
      schedulers
        .map((x) => [x.key, x.pattern, x.tz, x.template?.data])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      // Candidates' deletion requests come due by the day (services/candidate/deletion.ts).
      ['deletion-requests', '23 * * * *', 'UTC', { task: 'deletion_requests' }],
      ['retention', '17 3 * * *', 'UTC', { task: 'retention' }],
    ]);
    await s.deps.queues.queue('maintenance').obliterate({ force: true });

    const fay = await candidateWith('Fay Old', 'fay@example.com', [
      { endedDaysAgo: 90, status: 'completed' },
    ]);
    s.startWorkers(['maintenance']);
    await s.deps.queues.enqueue('maintenance', { task: 'retention' }, { jobId: 'retention-now' });
    await s.waitForJobs('maintenance', (c) => (c.completed ?? 0) >= 1, 10_000);
    await s.stopWorkers();
    const after = await snapshot(fay.ids[0]!);
    expect(after.redactedAt).toEqual(NOW);
    expect(after.candidate.name).toBe(DELETED_NAME);
  });
});

describe('/interview-delete', () => {
  async function run(text: string) {
    const opened = s.slack.callsTo('views.open').length;
    const res = await s.command('/interview-delete', text);
    expect(res.status).toBe(200);
    return { res, opened };
  }

  it('without an email, or for an unknown one, says so privately and opens nothing', async () => {
    const { res, opened } = await run('');
    expect(res.json).toEqual({
      response_type: 'ephemeral',
      text: "Usage: `/interview-delete candidate@example.com` deletes that candidate's interview data.",
    });
    const unknown = await run('nobody@example.com');
    expect(unknown.res.json).toEqual({
      response_type: 'ephemeral',
      text: 'No candidate with the email nobody@example.com: nothing to delete.',
    });
    expect(s.slack.callsTo('views.open').length).toBe(opened);
  });

  it('refuses while an interview is upcoming, and deletes nothing', async () => {
    const dan = await candidateWith('Dan Upcoming', 'dan@example.com', [
      { endedDaysAgo: -2, status: 'scheduled' },
    ]);
    const { res } = await run('dan@example.com');
    expect(res.json).toEqual({
      response_type: 'ephemeral',
      text: 'Dan Upcoming has 1 upcoming or running interview. Cancel it first (the *Cancel* button on the scheduling message), then run /interview-delete again.',
    });
    expect((await snapshot(dan.ids[0]!)).redactedAt).toBeNull();
  });

  it('confirms in a dialog (name escaped), then deletes everything of that candidate and logs who asked', async () => {
    const eve = await candidateWith('Eve <!channel> *Bold*', 'eve@example.com', [
      { endedDaysAgo: 3, status: 'evaluated' },
      { endedDaysAgo: 1, status: 'completed' },
    ]);
    const { opened } = await run('<mailto:Eve@Example.com|Eve@Example.com>');
    await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
    const view = s.slack.openModal(RECRUITER)!;
    expect(view.callback_id).toBe('delete_candidate_data');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('*Eve &lt;!channel&gt; *Bold** (eve@example.com)');
    expect(text).toContain('Their 2 interviews');

    const res = await s.submit(view, {});
    expect(res.ms).toBeLessThan(3000);
    expect(res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(res.json)).toContain(
      "Deleted. 2 interviews redacted; the candidate's name and email are gone.",
    );
    for (const id of eve.ids) {
      const after = await snapshot(id);
      expect(after.redactedAt).not.toBeNull();
      expect(after.turns[0]!.answerText).toBeNull();
      expect(after.candidate).toMatchObject({ name: DELETED_NAME, email: deletedEmail(eve.candidate.id) });
      expect(after.events.map((e) => [e.actor, e.data])).toEqual([
        [`slack:${RECRUITER}`, { reason: 'request', turns: 1, evaluations: 1 }],
      ]);
    }
    // The address no longer finds anyone.
    const again = await run('eve@example.com');
    expect(again.res.json).toMatchObject({
      text: 'No candidate with the email eve@example.com: nothing to delete.',
    });
  });
});
