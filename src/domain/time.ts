import { formatInTimeZone } from 'date-fns-tz';
import { AppError } from './errors.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// IANA names are letters, digits, '_', '-', '+' and '/' ('Etc/GMT+5', 'America/Port-au-Prince').
// The pattern keeps out bare offsets such as '+05:30', which newer Node versions accept as a
// "time zone" but which have no DST rules and would make behaviour depend on the Node version.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

const validZones = new Map<string, boolean>();

/**
 * True when `tz` is an IANA time zone the runtime knows ('UTC' included).
 * Accepts aliases ('Asia/Calcutta' and 'Asia/Kolkata'); rejects '', offsets and garbage.
 */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64 || !ZONE_NAME.test(tz)) return false;
  const cached = validZones.get(tz);
  if (cached !== undefined) return cached;
  let ok: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    ok = true;
  } catch {
    ok = false;
  }
  // Bounded: only names that passed the pattern reach here, but a caller could still feed many.
  if (validZones.size < 2_000) validZones.set(tz, ok);
  return ok;
}

// ICU (Node 20) still lists some zones under their old names; people look for the current ones.
// Each pair is applied only if the runtime accepts the current name.
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

let zoneList: readonly string[] | undefined;

/**
 * Every IANA zone the runtime supports, with current names in place of old ICU aliases
 * ('Asia/Kolkata', not 'Asia/Calcutta'), plus 'UTC'; sorted, without duplicates.
 * Returns a fresh array each time (callers may sort or filter it).
 */
export function listTimeZones(): string[] {
  if (zoneList === undefined) {
    const names = new Set<string>();
    for (const tz of Intl.supportedValuesOf('timeZone')) {
      const current = CURRENT_NAMES[tz];
      names.add(current !== undefined && isValidTimeZone(current) ? current : tz);
    }
    names.add('UTC');
    zoneList = [...names].sort();
  }
  return [...zoneList];
}

function assertZone(tz: string): void {
  if (!isValidTimeZone(tz)) throw new AppError('invalid_input', `Unknown time zone: ${String(tz)}`);
}

function assertDate(date: Date): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new AppError('invalid_input', 'Invalid date');
  }
}

/** Offset of `tz` from UTC at `date`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(date: Date, tz: string): number {
  assertZone(tz);
  assertDate(date);
  return offsetMs(tz, date.getTime());
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

// Not date-fns-tz's getTimezoneOffset: it reads its Date argument as a wall-clock time in the zone,
// not as an instant, and so is off by the offset change for the hours around a DST transition.
function offsetMs(tz: string, epochMs: number): number {
  let f = offsetFormatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (offsetFormatters.size < 2_000) offsetFormatters.set(tz, f);
  }
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of f.formatToParts(new Date(epochMs))) fields[part.type] = part.value;
  const wall = Date.UTC(
    Number(fields.year),
    Number(fields.month) - 1,
    Number(fields.day),
    Number(fields.hour),
    Number(fields.minute),
    Number(fields.second),
  );
  const wholeSeconds = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return wall - wholeSeconds;
}

/**
 * An offset written `UTC+05:30` / `UTC-04:00` / `UTC+00:00`. The minus is ASCII '-' (not U+2212):
 * some email clients and fonts render U+2212 badly, and '-' survives copy-paste into any tool.
 */
export function formatOffset(offsetMilliseconds: number): string {
  const totalMinutes = Math.round(offsetMilliseconds / MINUTE_MS);
  const sign = totalMinutes < 0 ? '-' : '+';
  const abs = Math.abs(totalMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

// CLDR gives a zone's short name ('EDT', 'BST', 'IST', 'AEST') only in the locale of the region
// that uses it, and 'GMT+2' elsewhere. The regional English locales below never disagree with one
// another on any zone (checked over all zones for a summer and a winter date), so the first
// alphabetic answer is the name people there use.
const ABBREVIATION_LOCALES = [
  'en-US',
  'en-GB',
  'en-AU',
  'en-IN',
  'en-NZ',
  'en-CA',
  'en-IE',
  'en-ZA',
  'en-SG',
];
const formatters = new Map<string, Intl.DateTimeFormat>();

function shortNameFormatter(locale: string, tz: string): Intl.DateTimeFormat {
  const key = `${locale}|${tz}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'short' });
    if (formatters.size < 5_000) formatters.set(key, f);
  }
  return f;
}

/** The short human name of `tz` at `date` ('EST', 'BST', 'IST'), or null when there is none. */
export function zoneAbbreviation(date: Date, tz: string): string | null {
  assertZone(tz);
  assertDate(date);
  for (const locale of ABBREVIATION_LOCALES) {
    const part = shortNameFormatter(locale, tz)
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName');
    const name = part?.value;
    // 'GMT+10:30', 'UTC-3' are offsets in disguise; 'GMT' alone is a real name (London in winter).
    if (name !== undefined && /^[A-Z]{2,6}$/.test(name)) return name;
  }
  return null;
}

/**
 * The zone as a reader sees it at `date`: `EDT (UTC-04:00)`, `IST (UTC+05:30)`, `GMT (UTC+00:00)`;
 * just the offset (`UTC+09:00`) when the zone has no well-known short name; `UTC+00:00` for UTC itself.
 * Throws AppError('invalid_input') for an unknown zone or an invalid date.
 */
export function zoneLabel(date: Date, tz: string): string {
  const offset = formatOffset(zoneOffsetMs(date, tz));
  const abbr = zoneAbbreviation(date, tz);
  return abbr === null || abbr === 'UTC' ? offset : `${abbr} (${offset})`;
}

export type TFormatStyle = 'date' | 'time' | 'datetime' | 'long';

const PATTERNS: Record<Exclude<TFormatStyle, 'long'>, string> = {
  date: 'EEE d MMM yyyy',
  time: 'HH:mm',
  datetime: 'EEE d MMM yyyy, HH:mm',
};

/**
 * `date` as wall-clock time in `tz`, English, 24-hour clock:
 * - date: `Mon 9 Mar 2026`
 * - time: `14:30`
 * - datetime: `Mon 9 Mar 2026, 14:30`
 * - long: `Monday 9 March 2026 at 14:30 EDT (UTC-04:00)`
 * Throws AppError('invalid_input') for an unknown zone or an invalid date.
 */
export function formatInZone(date: Date, tz: string, style: TFormatStyle): string {
  assertZone(tz);
  assertDate(date);
  if (style === 'long') {
    return `${formatInTimeZone(date, tz, "EEEE d MMMM yyyy 'at' HH:mm")} ${zoneLabel(date, tz)}`;
  }
  return formatInTimeZone(date, tz, PATTERNS[style]);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

type TCivilDate = { y: number; m: number; d: number };

function parseDate(date: string): TCivilDate {
  const match = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (match === null) throw new AppError('invalid_input', 'Dates are written YYYY-MM-DD');
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  const probe = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC maps years 0-99 to 1900-1999; our range starts well after that anyway.
  if (y < 1900 || probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) {
    throw new AppError('invalid_input', `No such date: ${date}`);
  }
  return { y, m, d };
}

function parseTime(time: string): { h: number; min: number } {
  const match = typeof time === 'string' ? TIME_RE.exec(time) : null;
  const h = Number(match?.[1]);
  const min = Number(match?.[2]);
  if (match === null || h > 23 || min > 59) {
    throw new AppError('invalid_input', 'Times are written HH:mm, 24-hour clock');
  }
  return { h, min };
}

function wallClockToUtc(
  civil: TCivilDate,
  h: number,
  min: number,
  tz: string,
): { utc: Date; adjusted: boolean } {
  // date-fns-tz's fromZonedTime does not say whether a time fell in a DST gap or overlap, so we
  // solve utc + offset(utc) = wall clock ourselves. The true instant is within ±14 h of the wall
  // clock read as UTC; the offsets in force 30 h either side cover one transition in between.
  const wall = Date.UTC(civil.y, civil.m - 1, civil.d, h, min);
  const offsets = new Set([
    offsetMs(tz, wall - 30 * HOUR_MS),
    offsetMs(tz, wall),
    offsetMs(tz, wall + 30 * HOUR_MS),
  ]);
  const matches: number[] = [];
  for (const off of offsets) {
    const t = wall - off;
    if (offsetMs(tz, t) === off) matches.push(t);
  }
  if (matches.length > 0) {
    // Fall-back overlap: the wall clock happens twice; take the first.
    return { utc: new Date(Math.min(...matches)), adjusted: false };
  }
  // Spring-forward gap: read the time with the offset in force before the jump, which lands the
  // same distance after the jump (02:30 in a 1-hour gap becomes 03:30).
  return { utc: new Date(wall - Math.min(...offsets)), adjusted: true };
}

/**
 * The instant at which the wall clock in `tz` shows `date` (YYYY-MM-DD) `time` (HH:mm).
 * A time that does not exist (in a spring-forward gap) is moved forward by the gap, with
 * `adjusted: true`; a time that happens twice (fall-back) resolves to the earlier instant.
 * Throws AppError('invalid_input') for malformed or impossible input or an unknown zone.
 */
export function localToUtc(date: string, time: string, tz: string): { utc: Date; adjusted: boolean } {
  const civil = parseDate(date);
  const { h, min } = parseTime(time);
  assertZone(tz);
  return wallClockToUtc(civil, h, min, tz);
}

/** Largest `count` accepted by repeatOnWeekdays. */
export const MAX_REPEAT_COUNT = 30;

/**
 * `count` instants at the same wall-clock `time` in `tz`: on `date` itself (even a weekend day),
 * then on each following Monday-Friday. The local time is kept across DST changes, so the UTC
 * time moves; a time that falls in a DST gap moves forward as in localToUtc.
 * Throws AppError('invalid_input') for malformed input or a count outside 1..30.
 */
export function repeatOnWeekdays(date: string, time: string, tz: string, count: number): Date[] {
  const civil = parseDate(date);
  const { h, min } = parseTime(time);
  assertZone(tz);
  if (!Number.isInteger(count) || count < 1 || count > MAX_REPEAT_COUNT) {
    throw new AppError('invalid_input', `Repeat count must be a whole number from 1 to ${MAX_REPEAT_COUNT}`);
  }
  const out: Date[] = [wallClockToUtc(civil, h, min, tz).utc];
  let day = Date.UTC(civil.y, civil.m - 1, civil.d);
  while (out.length < count) {
    day += 24 * HOUR_MS;
    const cursor = new Date(day);
    const weekday = cursor.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const next = { y: cursor.getUTCFullYear(), m: cursor.getUTCMonth() + 1, d: cursor.getUTCDate() };
    out.push(wallClockToUtc(next, h, min, tz).utc);
  }
  return out;
}

/** `date`'s calendar day in `tz`, as YYYY-MM-DD. */
export function localDateIn(date: Date, tz: string): string {
  assertZone(tz);
  assertDate(date);
  return formatInTimeZone(date, tz, 'yyyy-MM-dd');
}
