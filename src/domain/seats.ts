import { AppError } from './errors.js';

export type TSlotLike = {
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  seatsTaken: number;
  closedAt: Date | null;
};

export type TBookability = 'ok' | 'full' | 'past' | 'closed';

/** Seats still free; never negative, even if seatsTaken somehow exceeds capacity. */
export function seatsLeft(slot: Pick<TSlotLike, 'capacity' | 'seatsTaken'>): number {
  return Math.max(0, slot.capacity - slot.seatsTaken);
}

export function hasSeats(slot: Pick<TSlotLike, 'capacity' | 'seatsTaken'>): boolean {
  return seatsLeft(slot) > 0;
}

/** When the slot's interviews end (startsAt + durationMinutes). */
export function slotEndsAt(slot: Pick<TSlotLike, 'startsAt' | 'durationMinutes'>): Date {
  return new Date(slot.startsAt.getTime() + slot.durationMinutes * 60_000);
}

/**
 * Whether a candidate can be booked into `slot` at `now`, checked in this order:
 * 'closed' (a recruiter closed it), 'past' (startsAt <= now), 'full' (no seats left), else 'ok'.
 * This is the answer to show; the seat itself is taken atomically in the database.
 */
export function bookability(slot: TSlotLike, now: Date): TBookability {
  if (slot.closedAt !== null) return 'closed';
  if (slot.startsAt.getTime() <= now.getTime()) return 'past';
  if (!hasSeats(slot)) return 'full';
  return 'ok';
}

const BOOKABILITY_ERRORS = { full: 'slot_full', past: 'slot_past', closed: 'slot_closed' } as const;

/** Throws AppError('slot_closed' | 'slot_past' | 'slot_full') unless bookability is 'ok'. */
export function assertBookable(slot: TSlotLike, now: Date): void {
  const b = bookability(slot, now);
  if (b !== 'ok') throw new AppError(BOOKABILITY_ERRORS[b]);
}
