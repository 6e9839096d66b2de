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
      errors: 0,
      completed: candidates,
    }));
    const row = adaptInterview(levels);
    expect(row.value).toBe(12);
    expect(row.checks[0]).toEqual({ label: 'added p95 12 ms at 300 candidates (target ≤ 20 ms)', ok: true });
    expect(row.checks[1]!.label).toBe('growth: 300 → p95 12 ms, 200 MB; 1000 → p95 42 ms, 350 MB');
    const svg = interviewSvg(row.details.growth as never, { targetMs: 20 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('350 MB');
    const md = renderMarkdown({ updated: 'now', host: 'test', rows: [{ ...row, at: 'now' } as TRow] });
    expect(md).toContain(
      '| `interview` | server-added latency p95 per turn at 300 candidates (ms) | 12 ms |',
    );
  });
});
