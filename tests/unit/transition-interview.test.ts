/**
 * Every status change goes through transitionInterview (services/lifecycle): one conditional
 * UPDATE that lists only the statuses the domain table lets move, so a move the table forbids
 * never reaches the database and two racers for the same move cannot both make it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/domain/errors.js';
import { bookInterview } from '../../src/services/booking/book-interview.js';
import { transitionInterview } from '../../src/services/lifecycle/transition-interview.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { seed } from '../helpers/stack.js';

let db: TTestDb;
let roleId: string;
const now = new Date();

beforeAll(async () => {
  db = await createTestDb();
  roleId = (await seed(db, [])).role.id;
});
afterAll(async () => db.drop());

/** A freshly booked (scheduled) interview. */
async function scheduledInterview(): Promise<string> {
  const slot = await db.prisma.slot.create({
    data: {
      startsAt: new Date(now.getTime() + 86_400_000),
      durationMinutes: 30,
      capacity: 1,
      timeZone: 'UTC',
    },
  });
  const booked = await bookInterview(
    {
      id: `req-${slot.id}`,
      slotId: slot.id,
      roleId,
      candidate: { name: 'Grace Hopper', email: `grace-${slot.id}@example.com`, timeZone: 'UTC' },
      notes: '',
      recruiter: { userId: 'U_REC', teamId: 'T1', email: 'rec@example.com' },
      channelId: 'C_RECRUITING',
    },
    { prisma: db.prisma, now: () => now, config: testConfig() },
  );
  if (booked.outcome !== 'booked') throw new Error(`could not book: ${JSON.stringify(booked)}`);
  return booked.interviewId;
}

const statusOf = async (id: string) =>
  (await db.prisma.interview.findUniqueOrThrow({ where: { id } })).status;

describe('transitionInterview', () => {
  it('moves the status and writes its fields in the same statement', async () => {
    const id = await scheduledInterview();
    const startedAt = new Date(now.getTime() + 1000);
    expect(await transitionInterview(db.prisma, id, 'scheduled', 'in_progress', { startedAt })).toBe(true);
    const row = await db.prisma.interview.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('in_progress');
    expect(row.startedAt?.toISOString()).toBe(startedAt.toISOString());
  });

  it('lets exactly one of many simultaneous identical moves through', async () => {
    const id = await scheduledInterview();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        transitionInterview(db.prisma, id, 'scheduled', 'cancelled', { endReason: 'cancelled' }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await statusOf(id)).toBe('cancelled');
  });

  it('returns false, and changes nothing, when the interview is no longer in the status it leaves', async () => {
    const id = await scheduledInterview();
    expect(
      await transitionInterview(db.prisma, id, 'in_progress', 'completed', { endReason: 'finished' }),
    ).toBe(false);
    const row = await db.prisma.interview.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('scheduled');
    expect(row.endReason).toBeNull();
  });

  it('refuses a move the domain table does not allow, before touching the database', async () => {
    const id = await scheduledInterview();
    await transitionInterview(db.prisma, id, 'scheduled', 'in_progress');
    let err: unknown;
    try {
      // A started interview is never cancelled: it ends as completed (domain/interview-state.ts).
      await transitionInterview(db.prisma, id, 'in_progress', 'cancelled');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'invalid_state')).toBe(true);
    expect((err as { details?: unknown }).details).toEqual({ from: 'in_progress', to: 'cancelled' });
    expect(await statusOf(id)).toBe('in_progress');
  });

  it('moves from any of several statuses, and only from those', async () => {
    const id = await scheduledInterview();
    expect(await transitionInterview(db.prisma, id, ['completed', 'failed', 'evaluated'], 'evaluated')).toBe(
      false,
    );
    await transitionInterview(db.prisma, id, 'scheduled', 'in_progress');
    await transitionInterview(db.prisma, id, 'in_progress', 'completed');
    await transitionInterview(db.prisma, id, 'completed', 'failed');
    expect(await transitionInterview(db.prisma, id, ['completed', 'failed', 'evaluated'], 'evaluated')).toBe(
      true,
    );
    // A re-evaluation keeps 'evaluated'.
    expect(await transitionInterview(db.prisma, id, ['completed', 'failed', 'evaluated'], 'evaluated')).toBe(
      true,
    );
    expect(await statusOf(id)).toBe('evaluated');
  });

  it('works inside a transaction, and rolls back with it', async () => {
    const id = await scheduledInterview();
    await expect(
      db.prisma.$transaction(async (tx) => {
        expect(await transitionInterview(tx, id, 'scheduled', 'cancelled')).toBe(true);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await statusOf(id)).toBe('scheduled');
  });
});
