/** Block Kit pieces shared by the bot's views. Pure functions. */
import type { PlainTextOption } from '@slack/types';
import { truncate } from '../domain/escape.js';
import { formatInZone, zoneAbbreviation, zoneLabel } from '../domain/time.js';

export const plain = (text: string, max = 75) => ({
  type: 'plain_text' as const,
  text: truncate(text, max),
  emoji: true,
});

/** Slack option: text ≤ 75, value ≤ 150. */
export function option(text: string, value: string, description?: string): PlainTextOption {
  return {
    text: plain(text, 75),
    value: value.slice(0, 150),
    ...(description ? { description: plain(description, 75) } : {}),
  };
}

export type TSlotOptionInput = {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  seatsLeft: number;
};

/** "Mon 9 Mar 2026, 14:30 EST · 30 min · 2 seats left", in the viewer's zone. */
export function slotOption(slot: TSlotOptionInput, tz: string): PlainTextOption {
  const abbr = zoneAbbreviation(slot.startsAt, tz) ?? zoneLabel(slot.startsAt, tz);
  const seats = `${slot.seatsLeft} seat${slot.seatsLeft === 1 ? '' : 's'} left`;
  return option(
    `${formatInZone(slot.startsAt, tz, 'datetime')} ${abbr} · ${slot.durationMinutes} min · ${seats}`,
    slot.id,
  );
}

/**
 * A zone's label depends on the instant only through its offset, which changes
 * at most at a whole minute, so labels are kept for the current minute: every
 * modal and zone search shows one (building one costs ≈ 0.1 ms of Intl work).
 */
const zoneOptionCache = { minute: Number.NaN, byZone: new Map<string, PlainTextOption>() };

export function timeZoneOption(tz: string, at: Date): PlainTextOption {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== zoneOptionCache.minute) {
    zoneOptionCache.minute = minute;
    zoneOptionCache.byZone.clear();
  }
  let cached = zoneOptionCache.byZone.get(tz);
  if (!cached) {
    cached = option(`${tz.replace(/_/g, ' ')} (${zoneLabel(at, tz)})`, tz);
    zoneOptionCache.byZone.set(tz, cached);
  }
  return cached;
}

/** Metadata travels with a view; Slack caps it at 3000 characters. */
export function metadata(value: Record<string, unknown>): string {
  const json = JSON.stringify(value);
  if (json.length > 3000) throw new Error('private_metadata over 3000 characters');
  return json;
}

export function readMetadata<T>(raw: string | undefined): Partial<T> {
  try {
    return raw ? (JSON.parse(raw) as Partial<T>) : {};
  } catch {
    return {};
  }
}

export const roleOptionFor = (role: { id: string; title: string }): PlainTextOption =>
  option(role.title, role.id);
