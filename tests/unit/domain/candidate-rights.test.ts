/** The pure rules behind candidates' rights (issue 14): notice content, notice period, corrections. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNotice, noticeTextLines } from '../../../src/domain/candidate-notice.js';
import { applyCorrections } from '../../../src/domain/corrections.js';
import { earliestAfterNotice } from '../../../src/domain/notice-period.js';
import { localDateIn } from '../../../src/domain/time.js';

const base = {
  company: 'Acme',
  roleTitle: 'Backend Engineer',
  competencies: [{ name: 'System design', description: 'Designs for failure' }, { name: 'Communication' }],
  retentionDays: 30,
  requestUrl: 'https://x.test/my-data/request?i=1',
  dataUrl: 'https://x.test/my-data?i=1',
};

describe('the candidate notice', () => {
  it('with a model: says an AI conducts and evaluates, lists the competencies, a person decides, no emotion analysis', () => {
    const n = buildNotice({ ...base, hasModel: true });
    const text = noticeTextLines(n).join('\n');
    expect(n.version).toBe('2026-12-03.ai');
    expect(text).toContain('An AI conducts and evaluates this interview.');
    expect(text).toContain('    * System design: Designs for failure');
    expect(text).toContain('    * Communication');
    expect(text).toContain('A person makes the decision.');
    expect(text).toContain('nothing is decided automatically');
    expect(text).toContain('No emotion, tone-of-voice or facial analysis.');
    expect(text).toContain('deleted 30 days after the interview');
    expect(text).toContain('Ask for an alternative or an accommodation: https://x.test/my-data/request?i=1');
    expect(text).toContain('(you are then not evaluated by AI)');
  });

  it('without a model: promises no AI evaluation anywhere', () => {
    const n = buildNotice({ ...base, hasModel: false });
    const text = noticeTextLines(n).join('\n');
    expect(n.version).toBe('2026-12-03.no-model');
    expect(text).toContain('No AI evaluates your answers');
    expect(text).not.toMatch(/AI evaluates the|AI's summary|evaluated by AI|its evaluation/);
  });

  it('without links: tells the candidate to reply to the email', () => {
    const n = buildNotice({ ...base, hasModel: true, requestUrl: undefined, dataUrl: undefined });
    expect(noticeTextLines(n).join('\n')).toContain('Reply to this email to ask.');
  });
});

describe('the minimum notice', () => {
  it('is off at 0', () => {
    expect(earliestAfterNotice(new Date('2026-03-06T12:00:00Z'), 0, 'UTC')).toBeNull();
  });

  it('counts Monday to Friday only: told on a Friday, 1 business day is Monday and 10 is the Friday after next', () => {
    const friday = new Date('2026-03-06T12:00:00Z');
    expect(earliestAfterNotice(friday, 1, 'UTC')).toEqual(new Date('2026-03-09T00:00:00Z'));
    expect(earliestAfterNotice(friday, 10, 'UTC')).toEqual(new Date('2026-03-20T00:00:00Z'));
    // Told on a Saturday, 1 business day is still Monday.
    expect(earliestAfterNotice(new Date('2026-03-07T12:00:00Z'), 1, 'UTC')).toEqual(
      new Date('2026-03-09T00:00:00Z'),
    );
  });

  it('starts the day in the given zone, across a DST change', () => {
    // Fri 6 Mar 2026 in New York; US DST starts Sun 8 Mar; 1 business day: Mon 9 Mar 00:00 EDT.
    expect(earliestAfterNotice(new Date('2026-03-06T12:00:00Z'), 1, 'America/New_York')).toEqual(
      new Date('2026-03-09T04:00:00Z'),
    );
    // 23:30 UTC on Thursday is already Friday in Kolkata.
    expect(earliestAfterNotice(new Date('2026-03-05T23:30:00Z'), 1, 'Asia/Kolkata')).toEqual(
      new Date('2026-03-08T18:30:00Z'),
    );
  });

  it('always lands on a weekday, strictly after today, with exactly n weekdays in between (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe'),
        (now, n, tz) => {
          const earliest = earliestAfterNotice(now, n, tz)!;
          const day = localDateIn(earliest, tz);
          const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
          expect(weekday).not.toBe(0);
          expect(weekday).not.toBe(6);
          let count = 0;
          for (let d = new Date(`${localDateIn(now, tz)}T12:00:00Z`); ; ) {
            d = new Date(d.getTime() + 86_400_000);
            const wd = d.getUTCDay();
            if (wd !== 0 && wd !== 6) count++;
            if (d.toISOString().slice(0, 10) === day) break;
          }
          expect(count).toBe(n);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('corrections', () => {
  const turns = [
    { seq: 0, answer: 'Cafe queues.' },
    { seq: 1, answer: null },
    { seq: 2, answer: 'Trade-offs.' },
  ];
  const at = new Date('2026-03-06T10:00:00Z');

  it('go with the answer they are about; a general one (or one about no answer) with the last', () => {
    const out = applyCorrections(turns, [
      { turnSeq: 0, text: 'Kafka, not Cafe.', createdAt: at },
      { turnSeq: null, text: 'I was nervous.', createdAt: at },
      { turnSeq: 9, text: 'Misplaced.', createdAt: at },
    ]);
    expect(out[0]!.answer).toBe(
      'Cafe queues.\n\n[Correction from the candidate, added 2026-03-06: Kafka, not Cafe.]',
    );
    expect(out[1]!.answer).toBeNull();
    expect(out[2]!.answer).toBe(
      'Trade-offs.\n\n[Correction from the candidate, added 2026-03-06: I was nervous.]\n\n[Correction from the candidate, added 2026-03-06: Misplaced.]',
    );
    // The input is not changed.
    expect(turns[0]!.answer).toBe('Cafe queues.');
  });

  it('change nothing when there are none', () => {
    expect(applyCorrections(turns, [])).toEqual(turns);
  });
});
