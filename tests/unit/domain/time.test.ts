import { formatInTimeZone } from 'date-fns-tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import {
  formatInZone,
  formatOffset,
  isValidTimeZone,
  listTimeZones,
  localDateIn,
  localToUtc,
  repeatOnWeekdays,
  zoneAbbreviation,
  zoneLabel,
  zoneOffsetMs,
} from '../../../src/domain/time.js';

const iso = (d: Date) => d.toISOString();
const wallClock = (d: Date, tz: string) => formatInTimeZone(d, tz, 'yyyy-MM-dd HH:mm');

function expectInvalidInput(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isAppError(caught, 'invalid_input')).toBe(true);
}

describe('isValidTimeZone', () => {
  it.each([
    'UTC',
    'America/New_York',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Calcutta',
    'Australia/Lord_Howe',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
    'Etc/GMT+5',
  ])('accepts %s', (tz) => {
    expect(isValidTimeZone(tz)).toBe(true);
  });

  it.each([
    '',
    ' ',
    ' UTC',
    'UTC ',
    'Mars/Olympus_Mons',
    'America/New York',
    '+05:30',
    '-04:00',
    'Z',
    'UTC; DROP TABLE',
    '../../etc/passwd',
    'A'.repeat(100),
  ])('rejects %j', (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });

  it('rejects non-strings passed from untyped code', () => {
    expect(isValidTimeZone(undefined as unknown as string)).toBe(false);
    expect(isValidTimeZone(42 as unknown as string)).toBe(false);
  });
});

describe('listTimeZones', () => {
  const zones = listTimeZones();

  it('is sorted, has no duplicates, and every entry is valid', () => {
    expect(zones).toEqual([...zones].sort());
    expect(new Set(zones).size).toBe(zones.length);
    expect(zones.every(isValidTimeZone)).toBe(true);
    expect(zones.length).toBeGreaterThan(300);
  });

  it('includes UTC and uses the current names people search for', () => {
    for (const tz of ['UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'America/New_York']) {
      expect(zones).toContain(tz);
    }
    expect(zones).not.toContain('Asia/Calcutta');
    expect(zones).not.toContain('Europe/Kiev');
  });

  it('returns a copy each time', () => {
    const mine = listTimeZones();
    mine.length = 0;
    expect(listTimeZones().length).toBe(zones.length);
  });
});

describe('formatOffset', () => {
  it.each([
    [0, 'UTC+00:00'],
    [-5 * 3_600_000, 'UTC-05:00'],
    [5.5 * 3_600_000, 'UTC+05:30'],
    [5.75 * 3_600_000, 'UTC+05:45'],
    [-3.5 * 3_600_000, 'UTC-03:30'],
    [14 * 3_600_000, 'UTC+14:00'],
  ])('%d ms → %s', (ms, label) => {
    expect(formatOffset(ms)).toBe(label);
  });
});

describe('zoneLabel', () => {
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');

  it.each([
    ['America/New_York', 'EST (UTC-05:00)', 'EDT (UTC-04:00)'],
    ['America/Los_Angeles', 'PST (UTC-08:00)', 'PDT (UTC-07:00)'],
    ['Europe/London', 'GMT (UTC+00:00)', 'BST (UTC+01:00)'],
    ['Europe/Berlin', 'CET (UTC+01:00)', 'CEST (UTC+02:00)'],
    ['Asia/Kolkata', 'IST (UTC+05:30)', 'IST (UTC+05:30)'],
    ['Asia/Calcutta', 'IST (UTC+05:30)', 'IST (UTC+05:30)'],
    ['Australia/Sydney', 'AEDT (UTC+11:00)', 'AEST (UTC+10:00)'],
    ['Australia/Lord_Howe', 'LHDT (UTC+11:00)', 'LHST (UTC+10:30)'],
    ['America/St_Johns', 'NST (UTC-03:30)', 'NDT (UTC-02:30)'],
    ['Asia/Tokyo', 'UTC+09:00', 'UTC+09:00'],
    ['Asia/Kathmandu', 'UTC+05:45', 'UTC+05:45'],
    ['Pacific/Chatham', 'CHADT (UTC+13:45)', 'CHAST (UTC+12:45)'],
    ['UTC', 'UTC+00:00', 'UTC+00:00'],
  ])('%s → %s in January, %s in July', (tz, jan, jul) => {
    expect(zoneLabel(winter, tz)).toBe(jan);
    expect(zoneLabel(summer, tz)).toBe(jul);
  });

  it('changes at the exact instant of a DST change (New York, 2026-03-08 07:00Z)', () => {
    expect(zoneLabel(new Date('2026-03-08T06:59:59.999Z'), 'America/New_York')).toBe('EST (UTC-05:00)');
    expect(zoneLabel(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('EDT (UTC-04:00)');
  });

  it('always ends with an ASCII UTC±HH:MM offset, for every zone', () => {
    for (const tz of listTimeZones()) {
      expect(zoneLabel(summer, tz)).toMatch(/^(?:[A-Z]{2,6} \()?UTC[+-]\d{2}:\d{2}\)?$/);
    }
  });

  it('gives no abbreviation when the zone has none', () => {
    expect(zoneAbbreviation(summer, 'Asia/Tokyo')).toBeNull();
    expect(zoneAbbreviation(summer, 'America/New_York')).toBe('EDT');
  });

  it('throws invalid_input for an unknown zone or an invalid date', () => {
    expectInvalidInput(() => zoneLabel(summer, 'Mars/Base'));
    expectInvalidInput(() => zoneLabel(new Date(Number.NaN), 'UTC'));
  });
});

describe('zoneOffsetMs', () => {
  it('reads the instant, not a wall clock, right after a DST change', () => {
    // 06:30Z on 2026-03-08 is 01:30 EST, half an hour before New York springs forward.
    expect(zoneOffsetMs(new Date('2026-03-08T06:30:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(new Date('2026-10-03T15:29:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * 3_600_000);
    expect(zoneOffsetMs(new Date('2026-10-03T15:30:00Z'), 'Australia/Lord_Howe')).toBe(11 * 3_600_000);
  });
});

describe('formatInZone', () => {
  const d = new Date('2026-03-09T18:30:00Z');

  it.each([
    ['date', 'Mon 9 Mar 2026'],
    ['time', '14:30'],
    ['datetime', 'Mon 9 Mar 2026, 14:30'],
    ['long', 'Monday 9 March 2026 at 14:30 EDT (UTC-04:00)'],
  ] as const)('%s style in New York: %s', (style, text) => {
    expect(formatInZone(d, 'America/New_York', style)).toBe(text);
  });

  it('shows the candidate their own calendar day and 24-hour time', () => {
    expect(formatInZone(new Date('2026-03-09T23:30:00Z'), 'Asia/Kolkata', 'datetime')).toBe(
      'Tue 10 Mar 2026, 05:00',
    );
    expect(formatInZone(new Date('2026-03-09T23:30:00Z'), 'Asia/Kolkata', 'long')).toBe(
      'Tuesday 10 March 2026 at 05:00 IST (UTC+05:30)',
    );
    expect(formatInZone(new Date('2026-10-03T15:45:00Z'), 'Australia/Lord_Howe', 'long')).toBe(
      'Sunday 4 October 2026 at 02:45 LHDT (UTC+11:00)',
    );
    expect(formatInZone(new Date('2026-07-01T00:05:00Z'), 'UTC', 'long')).toBe(
      'Wednesday 1 July 2026 at 00:05 UTC+00:00',
    );
  });

  it('throws invalid_input for an unknown zone or an invalid date', () => {
    expectInvalidInput(() => formatInZone(d, 'Nowhere/Land', 'date'));
    expectInvalidInput(() => formatInZone(new Date('garbage'), 'UTC', 'time'));
  });

  it('localDateIn gives the calendar day in the zone', () => {
    expect(localDateIn(new Date('2026-03-09T23:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-10');
    expect(localDateIn(new Date('2026-03-09T23:30:00Z'), 'America/New_York')).toBe('2026-03-09');
  });
});

describe('localToUtc', () => {
  it.each([
    // New York springs forward 02:00 → 03:00 on 2026-03-08.
    ['2026-03-08', '01:59', 'America/New_York', '2026-03-08T06:59:00.000Z', false],
    ['2026-03-08', '02:00', 'America/New_York', '2026-03-08T07:00:00.000Z', true],
    ['2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:30:00.000Z', true],
    ['2026-03-08', '02:59', 'America/New_York', '2026-03-08T07:59:00.000Z', true],
    ['2026-03-08', '03:00', 'America/New_York', '2026-03-08T07:00:00.000Z', false],
    // New York falls back 02:00 → 01:00 on 2026-11-01: 01:xx happens twice, the first (EDT) wins.
    ['2026-11-01', '00:59', 'America/New_York', '2026-11-01T04:59:00.000Z', false],
    ['2026-11-01', '01:00', 'America/New_York', '2026-11-01T05:00:00.000Z', false],
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z', false],
    ['2026-11-01', '01:59', 'America/New_York', '2026-11-01T05:59:00.000Z', false],
    ['2026-11-01', '02:00', 'America/New_York', '2026-11-01T07:00:00.000Z', false],
    // London: 01:00 → 02:00 on 2026-03-29; 02:00 → 01:00 on 2026-10-25.
    ['2026-03-29', '00:59', 'Europe/London', '2026-03-29T00:59:00.000Z', false],
    ['2026-03-29', '01:00', 'Europe/London', '2026-03-29T01:00:00.000Z', true],
    ['2026-03-29', '02:00', 'Europe/London', '2026-03-29T01:00:00.000Z', false],
    ['2026-10-25', '01:30', 'Europe/London', '2026-10-25T00:30:00.000Z', false],
    ['2026-10-25', '02:00', 'Europe/London', '2026-10-25T02:00:00.000Z', false],
    // Kolkata: no DST, half-hour offset.
    ['2026-06-01', '09:00', 'Asia/Kolkata', '2026-06-01T03:30:00.000Z', false],
    ['2026-01-01', '00:00', 'Asia/Kolkata', '2025-12-31T18:30:00.000Z', false],
    // Lord Howe: a 30-minute DST shift. 02:00 → 01:30 on 2026-04-05; 02:00 → 02:30 on 2026-10-04.
    ['2026-04-05', '01:29', 'Australia/Lord_Howe', '2026-04-04T14:29:00.000Z', false],
    ['2026-04-05', '01:30', 'Australia/Lord_Howe', '2026-04-04T14:30:00.000Z', false],
    ['2026-04-05', '01:59', 'Australia/Lord_Howe', '2026-04-04T14:59:00.000Z', false],
    ['2026-04-05', '02:00', 'Australia/Lord_Howe', '2026-04-04T15:30:00.000Z', false],
    ['2026-10-04', '01:59', 'Australia/Lord_Howe', '2026-10-03T15:29:00.000Z', false],
    ['2026-10-04', '02:00', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z', true],
    ['2026-10-04', '02:29', 'Australia/Lord_Howe', '2026-10-03T15:59:00.000Z', true],
    ['2026-10-04', '02:30', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z', false],
    ['2026-07-01', '12:00', 'UTC', '2026-07-01T12:00:00.000Z', false],
    ['2028-02-29', '23:59', 'UTC', '2028-02-29T23:59:00.000Z', false],
  ])('%s %s in %s → %s (adjusted: %s)', (date, time, tz, utc, adjusted) => {
    const r = localToUtc(date, time, tz);
    expect(iso(r.utc)).toBe(utc);
    expect(r.adjusted).toBe(adjusted);
  });

  it('a gap time is shown to the candidate as the moved-forward time', () => {
    const r = localToUtc('2026-03-08', '02:30', 'America/New_York');
    expect(formatInZone(r.utc, 'America/New_York', 'long')).toBe(
      'Sunday 8 March 2026 at 03:30 EDT (UTC-04:00)',
    );
  });

  it.each([
    ['2026-3-8', '09:00', 'UTC'],
    ['2026-02-30', '09:00', 'UTC'],
    ['2026-02-29', '09:00', 'UTC'],
    ['2026-13-01', '09:00', 'UTC'],
    ['2026-00-10', '09:00', 'UTC'],
    ['08/03/2026', '09:00', 'UTC'],
    ['2026-03-08T09:00', '09:00', 'UTC'],
    ['', '09:00', 'UTC'],
    ['2026-03-08', '9:00', 'UTC'],
    ['2026-03-08', '24:00', 'UTC'],
    ['2026-03-08', '12:60', 'UTC'],
    ['2026-03-08', '12:00:00', 'UTC'],
    ['2026-03-08', ' 12:00', 'UTC'],
    ['2026-03-08', '', 'UTC'],
    ['2026-03-08', '12:00', ''],
    ['2026-03-08', '12:00', 'Mars/Olympus_Mons'],
    ['2026-03-08', '12:00', '+05:30'],
  ])('rejects %j %j %j with invalid_input', (date, time, tz) => {
    expectInvalidInput(() => localToUtc(date, time, tz));
  });

  // Every minute of each DST-change day (and a plain day) in the zones we care about.
  const days: [string, string, number, number][] = [
    // zone, day, minutes in the spring-forward gap, minutes that happen twice
    ['America/New_York', '2026-03-08', 60, 0],
    ['America/New_York', '2026-11-01', 0, 60],
    ['Europe/London', '2026-03-29', 60, 0],
    ['Europe/London', '2026-10-25', 0, 60],
    ['Australia/Lord_Howe', '2026-04-05', 0, 30],
    ['Australia/Lord_Howe', '2026-10-04', 30, 0],
    ['Asia/Kolkata', '2026-03-08', 0, 0],
    ['Asia/Kolkata', '2026-11-01', 0, 0],
    ['America/New_York', '2026-03-09', 0, 0],
  ];

  it.each(days)(
    '%s on %s: every valid minute round-trips; %d gap minutes move forward; %d repeated minutes resolve to the first',
    (tz, day, gapMinutes, repeatedMinutes) => {
      let gaps = 0;
      let repeats = 0;
      for (let m = 0; m < 24 * 60; m++) {
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const { utc, adjusted } = localToUtc(day, time, tz);
        if (adjusted) {
          gaps++;
          const shift = zoneOffsetMs(utc, tz) - zoneOffsetMs(new Date(utc.getTime() - 3 * 3_600_000), tz);
          expect(shift).toBeGreaterThan(0);
          const expected = new Date(Date.parse(`${day}T${time}:00Z`) + shift);
          expect(wallClock(utc, tz)).toBe(`${day} ${formatInTimeZone(expected, 'UTC', 'HH:mm')}`);
          continue;
        }
        expect(wallClock(utc, tz)).toBe(`${day} ${time}`);
        // The earliest instant: none of the possible earlier twins shows the same wall clock.
        for (const back of [30, 60, 120]) {
          const twin = new Date(utc.getTime() - back * 60_000);
          if (wallClock(twin, tz) === `${day} ${time}`) throw new Error(`${time} has an earlier twin`);
        }
        const later = new Date(utc.getTime() + 60 * 60_000);
        const laterHalf = new Date(utc.getTime() + 30 * 60_000);
        if (wallClock(later, tz) === `${day} ${time}` || wallClock(laterHalf, tz) === `${day} ${time}`)
          repeats++;
      }
      expect(gaps).toBe(gapMinutes);
      expect(repeats).toBe(repeatedMinutes);
    },
  );

  const zones = [
    'America/New_York',
    'Europe/London',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Pacific/Chatham',
    'UTC',
  ];

  it('round-trips through formatInZone for any date and time in many zones (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2037-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom(...zones),
        (day, h, min, tz) => {
          const date = day.toISOString().slice(0, 10);
          const time = `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
          const { utc, adjusted } = localToUtc(date, time, tz);
          if (!adjusted) {
            expect(wallClock(utc, tz)).toBe(`${date} ${time}`);
            expect(formatInZone(utc, tz, 'time')).toBe(time);
          } else {
            // Moved forward by the gap: later on the wall clock, by at most two hours.
            const shownMs = Date.parse(`${formatInTimeZone(utc, tz, "yyyy-MM-dd'T'HH:mm")}:00Z`);
            const askedMs = Date.parse(`${date}T${time}:00Z`);
            expect(shownMs - askedMs).toBeGreaterThan(0);
            expect(shownMs - askedMs).toBeLessThanOrEqual(2 * 3_600_000);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('any instant, written as its wall clock in a zone, maps back to itself or an earlier twin (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('1990-01-01T00:00:00Z') / 60_000,
          max: Date.parse('2037-12-31T00:00:00Z') / 60_000,
        }),
        fc.constantFrom(...zones),
        (minute, tz) => {
          const instant = new Date(minute * 60_000);
          const [date, time] = wallClock(instant, tz).split(' ') as [string, string];
          const { utc, adjusted } = localToUtc(date, time, tz);
          expect(adjusted).toBe(false);
          const diff = instant.getTime() - utc.getTime();
          expect([0, 30 * 60_000, 60 * 60_000]).toContain(diff);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('repeatOnWeekdays', () => {
  it('keeps 09:00 New York time across the March DST change, skipping the weekend', () => {
    expect(repeatOnWeekdays('2026-03-06', '09:00', 'America/New_York', 4).map(iso)).toEqual([
      '2026-03-06T14:00:00.000Z', // Fri, EST
      '2026-03-09T13:00:00.000Z', // Mon, EDT
      '2026-03-10T13:00:00.000Z',
      '2026-03-11T13:00:00.000Z',
    ]);
  });

  it('keeps 09:00 London time across the October DST change', () => {
    expect(repeatOnWeekdays('2026-10-23', '09:00', 'Europe/London', 2).map(iso)).toEqual([
      '2026-10-23T08:00:00.000Z',
      '2026-10-26T09:00:00.000Z',
    ]);
  });

  it('keeps Lord Howe local time across its 30-minute change', () => {
    expect(repeatOnWeekdays('2026-10-02', '02:15', 'Australia/Lord_Howe', 3).map(iso)).toEqual([
      '2026-10-01T15:45:00.000Z',
      '2026-10-04T15:15:00.000Z',
      '2026-10-05T15:15:00.000Z',
    ]);
  });

  it('includes a weekend start date as given, then only weekdays', () => {
    expect(repeatOnWeekdays('2026-03-07', '10:00', 'UTC', 3).map(iso)).toEqual([
      '2026-03-07T10:00:00.000Z',
      '2026-03-09T10:00:00.000Z',
      '2026-03-10T10:00:00.000Z',
    ]);
  });

  it('moves a start in the DST gap forward like localToUtc', () => {
    expect(repeatOnWeekdays('2026-03-08', '02:30', 'America/New_York', 2).map(iso)).toEqual([
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('crosses month and year ends', () => {
    expect(repeatOnWeekdays('2026-12-31', '16:00', 'Asia/Kolkata', 3).map(iso)).toEqual([
      '2026-12-31T10:30:00.000Z',
      '2027-01-01T10:30:00.000Z',
      '2027-01-04T10:30:00.000Z',
    ]);
  });

  it('returns one date for count 1 and thirty for count 30', () => {
    expect(repeatOnWeekdays('2026-03-06', '09:00', 'UTC', 1).map(iso)).toEqual(['2026-03-06T09:00:00.000Z']);
    const month = repeatOnWeekdays('2026-03-02', '09:00', 'UTC', 30);
    expect(month).toHaveLength(30);
    expect(iso(month[29]!)).toBe('2026-04-10T09:00:00.000Z');
  });

  it.each([0, -1, 31, 1.5, Number.NaN])('rejects count %d', (count) => {
    expectInvalidInput(() => repeatOnWeekdays('2026-03-06', '09:00', 'UTC', count));
  });

  it('rejects malformed dates, times and zones', () => {
    expectInvalidInput(() => repeatOnWeekdays('2026-02-30', '09:00', 'UTC', 2));
    expectInvalidInput(() => repeatOnWeekdays('2026-03-06', '25:00', 'UTC', 2));
    expectInvalidInput(() => repeatOnWeekdays('2026-03-06', '09:00', 'Nowhere', 2));
  });

  it('gives count ascending dates on distinct local days, all but the first on weekdays, at the same local time (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2037-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe'),
        fc.integer({ min: 1, max: 30 }),
        (day, h, min, tz, count) => {
          const date = day.toISOString().slice(0, 10);
          const time = `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
          const out = repeatOnWeekdays(date, time, tz, count);
          expect(out).toHaveLength(count);
          expect(localDateIn(out[0]!, tz) >= date).toBe(true);
          for (let i = 1; i < out.length; i++) {
            const prev = out[i - 1]!;
            const cur = out[i]!;
            expect(cur.getTime()).toBeGreaterThan(prev.getTime());
            expect(localDateIn(cur, tz) > localDateIn(prev, tz)).toBe(true);
            expect(['Sat', 'Sun']).not.toContain(formatInTimeZone(cur, tz, 'EEE'));
            const { utc } = localToUtc(localDateIn(cur, tz), time, tz);
            expect(cur.getTime()).toBe(utc.getTime());
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
