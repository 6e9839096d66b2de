/**
 * Taking a seat is one statement (services/booking/book-interview.ts): these cases pin
 * what it stores, the reason it gives when it takes nothing, and that no concurrency —
 * the same request twice at once, or many requests for the last seats — takes a seat
 * twice or oversells.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionKey, openSessionKey } from '../../src/domain/session-key.js';
import { bookInterview } from '../../src/services/booking/book-interview.js';
import type { TBookingRequest } from '../../src/services/booking/booking-request.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { seed } from '../helpers/stack.js';

let db: TTestDb;
let roleId: string;
const now = new Date();
const config = testConfig();
const deps = () => ({ prisma: db.prisma, now: () => now, config });
const inADay = () => new Date(now.getTime() + 86_400_000);

beforeAll(async () => {
  db = await createTestDb();
  roleId = (await seed(db, [])).role.id;
});
afterAll(async () => db.drop());

async function slot(
  opts: { capacity?: number; startsAt?: Date; seatsTaken?: number; closed?: boolean } = {},
) {
  return db.prisma.slot.create({
    data: {
      startsAt: opts.startsAt ?? inADay(),
      durationMinutes: 45,
      capacity: opts.capacity ?? 1,
      seatsTaken: opts.seatsTaken ?? 0,
      timeZone: 'UTC',
      closedAt: opts.closed ? now : null,
    },
  });
}

function request(slotId: string, over: Partial<TBookingRequest> = {}): TBookingRequest {
  return {
    id: `req-${randomBytes(6).toString('hex')}`,
    slotId,
    roleId,
    candidate: { name: 'Ada Lovelace', email: 'Ada@Example.com', timeZone: 'Europe/London' },
    notes: 'Prefers mornings',
    recruiter: { userId: 'U_REC', teamId: 'T1', email: 'rec@example.com' },
    channelId: 'C_RECRUITING',
    ...over,
  };
}

const seats = async (id: string) => (await db.prisma.slot.findUniqueOrThrow({ where: { id } })).seatsTaken;

describe('booking a seat in one statement', () => {
  it('stores the seat, the candidate, the interview and its booked event together', async () => {
    const s = await slot({ capacity: 2 });
    const job = request(s.id);
    const result = await bookInterview(job, deps());
    expect(result).toMatchObject({ outcome: 'booked', revision: 1 });
    const interviewId = (result as { interviewId: string }).interviewId;
    const i = await db.prisma.interview.findUniqueOrThrow({
      where: { id: interviewId },
      include: { candidate: true },
    });
    expect(i).toMatchObject({
      status: 'scheduled',
      roleId,
      slotId: s.id,
      scheduledStart: s.startsAt,
      scheduledEnd: new Date(s.startsAt.getTime() + 45 * 60_000),
      notes: 'Prefers mornings',
      bookingRequestId: job.id,
      recruiterSlackUser: 'U_REC',
      recruiterEmail: 'rec@example.com',
      slackTeamId: 'T1',
      slackChannelId: 'C_RECRUITING',
      slackThreadTs: null,
      revision: 1,
    });
    // The key is stored as its hash (for the portal) and sealed (for the emails): the two agree.
    expect(hashSessionKey(openSessionKey(i.sessionKeySealed!, config.candidateLinks.secret!, i.id))).toBe(
      i.sessionKeyHash,
    );
    expect(() => openSessionKey(i.sessionKeySealed!, 'another-secret-of-thirty-two-chars!!', i.id)).toThrow(
      /does not open/,
    );
    expect(i.candidate).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      timeZone: 'Europe/London',
    });
    const events = await db.prisma.event.findMany({ where: { interviewId } });
    expect(events.map((e) => [e.type, e.actor, e.data])).toEqual([
      ['interview.booked', 'slack:U_REC', { slotId: s.id, roleId }],
    ]);
    expect(await seats(s.id)).toBe(1);
  });

  it('a rerun of the same request reports the first interview and takes no second seat', async () => {
    const s = await slot({ capacity: 3 });
    const job = request(s.id);
    const first = await bookInterview(job, deps());
    const again = await bookInterview(job, deps());
    expect(again).toEqual({ ...first, outcome: 'duplicate' });
    expect(await seats(s.id)).toBe(1);
  });

  it('updates a returning candidate (same address, any case) instead of adding another', async () => {
    const s = await slot({ capacity: 2 });
    await bookInterview(
      request(s.id, { candidate: { name: 'Grace', email: 'grace@example.com', timeZone: 'UTC' } }),
      deps(),
    );
    await bookInterview(
      request(s.id, {
        candidate: { name: 'Grace Hopper', email: 'GRACE@example.com', timeZone: 'America/New_York' },
      }),
      deps(),
    );
    const c = await db.prisma.candidate.findMany({
      where: { email: 'grace@example.com' },
      include: { interviews: true },
    });
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ name: 'Grace Hopper', timeZone: 'America/New_York' });
    expect(c[0]!.interviews).toHaveLength(2);
  });

  it('says why nothing was taken: full, closed, past, gone', async () => {
    const full = await slot({ capacity: 1, seatsTaken: 1 });
    const closed = await slot({ closed: true });
    const past = await slot({ startsAt: new Date(now.getTime() - 60_000) });
    const before = await db.prisma.interview.count();
    expect(await bookInterview(request(full.id), deps())).toEqual({ outcome: 'unavailable', reason: 'full' });
    expect(await bookInterview(request(closed.id), deps())).toEqual({
      outcome: 'unavailable',
      reason: 'closed',
    });
    expect(await bookInterview(request(past.id), deps())).toEqual({ outcome: 'unavailable', reason: 'past' });
    expect(await bookInterview(request('00000000-0000-4000-8000-000000000000'), deps())).toEqual({
      outcome: 'unavailable',
      reason: 'gone',
    });
    expect(await db.prisma.interview.count()).toBe(before);
    expect(await seats(full.id)).toBe(1);
    expect(await seats(closed.id)).toBe(0);
  });

  it('the same request run ten times at once books once: one seat, one interview', async () => {
    const s = await slot({ capacity: 5 });
    const job = request(s.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => bookInterview(job, deps())));
    const booked = results.filter((r) => r.outcome === 'booked');
    expect(booked).toHaveLength(1);
    const id = (booked[0] as { interviewId: string }).interviewId;
    for (const r of results) expect(r).toMatchObject({ interviewId: id });
    expect(await seats(s.id)).toBe(1);
    expect(await db.prisma.interview.count({ where: { slotId: s.id } })).toBe(1);
    expect(await db.prisma.event.count({ where: { interviewId: id, type: 'interview.booked' } })).toBe(1);
  });

  it('forty requests at once for three seats: exactly three booked, the rest told it is full', async () => {
    const s = await slot({ capacity: 3 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        bookInterview(
          request(s.id, { candidate: { name: `C${n}`, email: `c${n}@example.com`, timeZone: 'UTC' } }),
          deps(),
        ),
      ),
    );
    expect(results.filter((r) => r.outcome === 'booked')).toHaveLength(3);
    expect(results.filter((r) => r.outcome === 'unavailable' && r.reason === 'full')).toHaveLength(37);
    expect(await seats(s.id)).toBe(3);
    expect(await db.prisma.interview.count({ where: { slotId: s.id } })).toBe(3);
  });
});
