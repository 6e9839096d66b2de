import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import {
  assertBookable,
  bookability,
  hasSeats,
  seatsLeft,
  slotEndsAt,
  type TSlotLike,
} from '../../../src/domain/seats.js';

const now = new Date('2026-03-09T10:00:00Z');
const slot = (over: Partial<TSlotLike> = {}): TSlotLike => ({
  startsAt: new Date('2026-03-10T10:00:00Z'),
  durationMinutes: 30,
  capacity: 3,
  seatsTaken: 0,
  closedAt: null,
  ...over,
});

describe('seatsLeft / hasSeats', () => {
  it.each([
    [3, 0, 3],
    [3, 2, 1],
    [3, 3, 0],
    [3, 5, 0],
    [0, 0, 0],
    [1, 0, 1],
  ])('capacity %d with %d taken leaves %d', (capacity, seatsTaken, left) => {
    expect(seatsLeft({ capacity, seatsTaken })).toBe(left);
    expect(hasSeats({ capacity, seatsTaken })).toBe(left > 0);
  });

  it('slotEndsAt adds the duration', () => {
    expect(slotEndsAt(slot()).toISOString()).toBe('2026-03-10T10:30:00.000Z');
  });
});

describe('bookability', () => {
  it.each<[string, Partial<TSlotLike>, string]>([
    ['an open future slot with seats', {}, 'ok'],
    ['the last seat', { seatsTaken: 2 }, 'ok'],
    ['a full slot', { seatsTaken: 3 }, 'full'],
    ['a slot starting now', { startsAt: now }, 'past'],
    ['a slot that started a minute ago', { startsAt: new Date('2026-03-09T09:59:00Z') }, 'past'],
    ['a slot starting in 1 ms', { startsAt: new Date(now.getTime() + 1) }, 'ok'],
    ['a closed slot', { closedAt: new Date('2026-03-01T00:00:00Z') }, 'closed'],
    // Order: closed, then past, then full.
    ['closed, past and full', { closedAt: now, startsAt: now, seatsTaken: 3 }, 'closed'],
    ['past and full', { startsAt: now, seatsTaken: 3 }, 'past'],
    ['closed in the future still counts as closed', { closedAt: new Date('2027-01-01T00:00:00Z') }, 'closed'],
  ])('%s → %s', (_name, over, expected) => {
    expect(bookability(slot(over), now)).toBe(expected);
  });

  it.each([
    [{ seatsTaken: 3 }, 'slot_full'],
    [{ startsAt: now }, 'slot_past'],
    [{ closedAt: now }, 'slot_closed'],
  ] as const)('assertBookable throws the matching AppError', (over, code) => {
    let err: unknown;
    try {
      assertBookable(slot(over), now);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, code)).toBe(true);
    expect(() => assertBookable(slot(), now)).not.toThrow();
  });
});

describe('seat counting properties', () => {
  const arbSlot = fc.record({
    startsAt: fc.integer({ min: -1_000, max: 1_000 }).map((m) => new Date(now.getTime() + m * 60_000)),
    durationMinutes: fc.integer({ min: 1, max: 240 }),
    capacity: fc.integer({ min: 0, max: 50 }),
    seatsTaken: fc.integer({ min: 0, max: 60 }),
    closedAt: fc.option(fc.constant(new Date('2026-01-01T00:00:00Z')), { nil: null }),
  });

  it('bookability follows the closed → past → full → ok precedence', () => {
    fc.assert(
      fc.property(arbSlot, (s) => {
        const b = bookability(s, now);
        const expected =
          s.closedAt !== null
            ? 'closed'
            : s.startsAt.getTime() <= now.getTime()
              ? 'past'
              : s.seatsTaken >= s.capacity
                ? 'full'
                : 'ok';
        expect(b).toBe(expected);
        expect(seatsLeft(s)).toBe(Math.max(0, s.capacity - s.seatsTaken));
      }),
    );
  });

  it('booking one candidate after another fills exactly `capacity` seats, never more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 80 }), (capacity, attempts) => {
        const s = slot({ capacity, seatsTaken: 0 });
        let booked = 0;
        for (let i = 0; i < attempts; i++) {
          if (bookability(s, now) === 'ok') {
            s.seatsTaken += 1;
            booked += 1;
          } else {
            expect(bookability(s, now)).toBe('full');
          }
        }
        expect(booked).toBe(Math.min(capacity, attempts));
        expect(s.seatsTaken).toBeLessThanOrEqual(capacity);
        expect(seatsLeft(s)).toBe(capacity - booked);
      }),
    );
  });
});
