/**
 * The minimum notice before an AI interview (NYC Local Law 144 asks for 10 business days): the
 * earliest start a slot may have when the candidate is told today. Business days are Monday to
 * Friday in the given zone (public holidays are not known here: a stricter employer raises the
 * setting). Pure.
 */
import { localDateIn, localToUtc } from './time.js';

const DAY_MS = 24 * 3600_000;

/**
 * The start (00:00 in `tz`) of the day `businessDays` business days after `now`'s day in `tz`;
 * null when the setting is off (0). Told on a Friday with 1 business day: Monday is the earliest.
 */
export function earliestAfterNotice(now: Date, businessDays: number, tz: string): Date | null {
  if (!Number.isInteger(businessDays) || businessDays <= 0) return null;
  const [y, m, d] = localDateIn(now, tz).split('-').map(Number) as [number, number, number];
  let day = Date.UTC(y, m - 1, d);
  let counted = 0;
  while (counted < businessDays) {
    day += DAY_MS;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted++;
  }
  return localToUtc(new Date(day).toISOString().slice(0, 10), '00:00', tz).utc;
}
