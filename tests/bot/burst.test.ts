/**
 * Many recruiters at once: schedule submissions that arrive together are checked
 * in one statement and queued in one Redis round trip, yet each one gets its own
 * answer: a mistake comes back inline for exactly the submission that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues } from '../../src/infra/queue/queues.js';
import { createRedis } from '../../src/infra/queue/redis.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

const NOW = new Date('2026-03-02T15:00:00Z');
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000);

let s: TStack;
let roleId: string;
let openSlot: string;
let fullSlot: string;

beforeAll(async () => {
  s = await startStack({ now: NOW });
  const seeded = await seed(s.deps, [
    { startsAt: hours(24), capacity: 50 },
    { startsAt: hours(48), capacity: 1 },
  ]);
  roleId = seeded.role.id;
  openSlot = seeded.slots[0]!.id;
  fullSlot = seeded.slots[1]!.id;
});
afterAll(async () => s.close());

async function openModals(n: number) {
  const views = [];
  for (let i = 0; i < n; i++) {
    const opened = s.slack.callsTo('views.open').length;
    expect((await s.command('/schedule-interview')).status).toBe(200);
    await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
    views.push(s.slack.openModal(RECRUITER)!);
  }
  return views;
}

const values = (i: number, slot: string, role = roleId) => ({
  candidate_name: { candidate_name: `Candidate ${i}` },
  candidate_email: { candidate_email: `burst-${i}@example.com` },
  candidate_tz: { candidate_tz: { text: 'UTC', value: 'UTC' } },
  role: { role: { text: 'Role', value: role } },
  slot: { slot },
});

type TAnswer = { response_action: string; errors?: Record<string, string> };

describe('a burst of schedule submissions', () => {
  it('accepts the valid ones and answers inline only for the full slot and the deleted role', async () => {
    const deleted = await s.db.prisma.role.create({ data: { title: 'Gone soon' } });
    await s.db.prisma.role.delete({ where: { id: deleted.id } });
    // Someone took the last seat after these modals opened.
    const views = await openModals(8);
    await s.db.prisma.slot.update({ where: { id: fullSlot }, data: { seatsTaken: 1 } });
    const plan = views.map((_, i) =>
      i === 2 ? values(i, fullSlot) : i === 5 ? values(i, openSlot, deleted.id) : values(i, openSlot),
    );
    const answers = await Promise.all(views.map((v, i) => s.submit(v, plan[i]!)));
    for (const [i, r] of answers.entries()) {
      expect(r.status).toBe(200);
      const body = r.json as TAnswer;
      if (i === 2) {
        expect(body.response_action).toBe('errors');
        expect(body.errors).toEqual({ slot: expect.stringMatching(/^That slot has just filled up\./) });
      } else if (i === 5) {
        expect(body).toEqual({
          response_action: 'errors',
          errors: { role: 'That role no longer exists. Pick another.' },
        });
      } else {
        expect(body.response_action).toBe('update');
      }
    }
    // Exactly the six accepted submissions are queued, one job each.
    const jobs = await s.deps.queues.queue('booking').getJobs(['waiting', 'delayed', 'active', 'completed']);
    // The jobs carry the request id only; the candidate's details are in the stored request.
    const requests = await s.db.prisma.bookingRequest.findMany({
      where: { id: { in: jobs.map((j) => (j.data as { bookingRequestId: string }).bookingRequestId) } },
    });
    const emails = requests.map((r) => r.candidateEmail).sort();
    expect(emails).toEqual(
      [0, 1, 3, 4, 6, 7].map((i) => `burst-${i}@example.com`).sort((a, b) => a.localeCompare(b)),
    );
  });

  it('answers every submission of the burst inline when the job queue is not answering, and queues none', async () => {
    const views = await openModals(4);
    const before = await s.deps.queues.queue('booking').count();
    // A producer that was connected and lost Redis: adds fail at once (no offline queue).
    const lost = createRedis(TEST_REDIS_URL, 'producer');
    lost.on('error', () => undefined);
    const working = s.deps.queues;
    s.deps.queues = new JobQueues(lost, s.prefix);
    await s.deps.queues.queue('booking').waitUntilReady();
    lost.disconnect();
    try {
      const answers = await Promise.all(views.map((v, i) => s.submit(v, values(100 + i, openSlot))));
      for (const r of answers) {
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(3000);
        expect(r.json).toEqual({
          response_action: 'errors',
          errors: {
            slot: 'Panelist could not queue this right now (its job queue is not answering). Nothing was booked; submit again in a moment.',
          },
        });
      }
    } finally {
      await s.deps.queues.close().catch(() => undefined);
      s.deps.queues = working;
    }
    expect(await s.deps.queues.queue('booking').count()).toBe(before);
  });
});
