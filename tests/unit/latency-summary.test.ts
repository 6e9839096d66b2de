import { describe, expect, it } from 'vitest';
import { formatLatencySummary } from '../../src/services/interview/latency.js';

describe('the evaluation footer’s response-time line', () => {
  it('shows p50 and p95 in seconds with the number of turns, and nothing without data', () => {
    expect(formatLatencySummary({ p50Ms: 720, p95Ms: 1180, turns: 8 })).toBe(
      'Interviewer response time p50 0.7 s · p95 1.2 s (8 turns)',
    );
    expect(formatLatencySummary({ p50Ms: null, p95Ms: null, turns: 0 })).toBeNull();
  });
});
