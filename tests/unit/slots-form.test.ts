/** The /interview-slots form opens on the next quarter hour of the recruiter's own clock. */
import { describe, expect, it } from 'vitest';
import { buildSlotsModal, nextQuarterHour } from '../../src/block-kit/slots-modal.js';

describe('the slots form default start', () => {
  it('is the next quarter hour in the recruiter’s zone, across a day boundary and in odd offsets', () => {
    expect(nextQuarterHour(new Date('2026-03-09T14:07:30Z'), 'America/New_York')).toEqual({
      date: '2026-03-09',
      time: '10:15',
    });
    // Exactly on a quarter: the next one, not now (a slot must start in the future).
    expect(nextQuarterHour(new Date('2026-03-09T14:15:00Z'), 'UTC')).toEqual({
      date: '2026-03-09',
      time: '14:30',
    });
    expect(nextQuarterHour(new Date('2026-03-09T23:50:00Z'), 'UTC')).toEqual({
      date: '2026-03-10',
      time: '00:00',
    });
    // UTC+05:30 and UTC+05:45: quarters of the local clock, not of UTC.
    expect(nextQuarterHour(new Date('2026-03-09T10:01:00Z'), 'Asia/Kolkata')).toEqual({
      date: '2026-03-09',
      time: '15:45',
    });
    expect(nextQuarterHour(new Date('2026-03-09T10:01:00Z'), 'Asia/Kathmandu')).toEqual({
      date: '2026-03-09',
      time: '16:00',
    });
  });

  it('puts that start in the form and says "the next weekday" for one more day', () => {
    const view = buildSlotsModal({ tz: 'Europe/Berlin', now: new Date('2026-03-09T08:52:00Z'), slots: [] });
    const json = JSON.stringify(view);
    expect(json).toContain('"initial_time":"10:00"');
    expect(json).toContain('"initial_date":"2026-03-09"');
    expect(json).toContain('This day and the next weekday"');
    expect(json).not.toContain('next 1 weekdays');
    expect(json).toContain('This day and the next 2 weekdays');
  });
});
