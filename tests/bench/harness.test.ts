import { describe, expect, it } from 'vitest';
import {
  adaptInterview,
  afterWarmup,
  interviewSvg,
  median,
  medianRun,
  percentile,
  renderMarkdown,
  summarize,
  type TRow,
} from '../../bench/harness.js';

describe('bench statistics', () => {
  it('percentiles are nearest-rank on unsorted samples', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 0.5)).toBe(5);
    expect(percentile(xs, 0.9)).toBe(9);
    expect(percentile(xs, 0.95)).toBe(10);
    expect(percentile(xs, 0.99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(hundred, 0.95)).toBe(95);
  });

  it('the median of runs takes the middle, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(medianRun([{ v: 9 }, { v: 1 }, { v: 5 }], (r) => r.v)).toEqual({ v: 5 });
  });

  it('warm-up samples are dropped before summarising', () => {
    const s = summarize(afterWarmup([1000, 900, 1, 2, 3, 4], 2));
    expect(s).toMatchObject({ n: 4, p50: 2, p99: 4, max: 4, mean: 2.5 });
  });

  it('interview levels become one row with the growth to 1,000 and a plot', () => {
    const levels = [300, 1000].map((candidates, i) => ({
      bench: 'interview',
      candidates,
      modelLatencyMs: 200,
      addedP50Ms: 3 + i,
      addedP95Ms: 12 + i * 30,
      turnP95Ms: 212 + i * 30,
      peakRssMb: 200 + i * 150,
      memPerCandidateKb: 300 - i * 100,
      ackP95Ms: 110,
      answersStored: candidates * 2,
      answersWhole: candidates * 2 - i,
      errors: 0,
      completed: candidates,
    }));
    const row = adaptInterview(levels);
    expect(row.value).toBe(12);
    expect(row.checks[0]).toEqual({
      label: '300 candidates: added p95 12 ms (target ≤ 50), 300 KB per candidate, ack p95 110 ms',
      ok: true,
    });
    expect(row.checks[1]).toEqual({
      label: '1000 candidates: added p95 42 ms (target ≤ 50), 200 KB per candidate, ack p95 110 ms',
      ok: true,
    });
    expect(row.checks.at(-1)).toEqual({
      label: '1 answers not stored whole (after a forced reconnect per candidate)',
      ok: false,
    });
    const svg = interviewSvg(row.details.growth as never, { targetMs: 50 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('350 MB');
    const md = renderMarkdown({ updated: 'now', host: 'test', rows: [{ ...row, at: 'now' } as TRow] });
    expect(md).toContain(
      '| `interview` | server-added latency p95 per voice turn at 300 candidates (ms) | 12 ms |',
    );
  });
});
