/**
 * `npm run bench` runs every scenario; `npm run bench -- NAME [NAME…]` runs some.
 * Each scenario runs as its own process (it starts the servers it measures as
 * further processes) and leaves one row in bench/results/latest.{json,md}.
 *
 * Scenarios that measure one run per invocation (evaluation, interview)
 * are run several times here and the median run is reported; the interview
 * scenario is also run at 300 → 1,000 candidates and plotted
 * (bench/results/interview.svg).
 *
 * Options: --runs N (default 3) · --quick (fewer runs and requests, for a smoke check)
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  adaptInterview,
  adaptRow,
  interviewSvg,
  medianRun,
  RESULTS_DIR,
  ROOT,
  round,
  type TRow,
  writeRow,
} from './harness.js';

type TScenario = {
  name: string;
  /** Runs the scenario; rows are written by it or by this function. */
  run(opts: { runs: number; quick: boolean }): Promise<void>;
};

/** Runs `bench/<script>` in a child process and returns the JSON rows it printed. */
async function runScript(
  script: string,
  args: string[],
  opts: { collect?: boolean; timeoutMs?: number } = {},
): Promise<Array<Record<string, unknown>>> {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${script}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...(opts.collect ? { BENCH_COLLECT: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    // Rows go to the log as they come, so a run's figures survive whatever replaces latest.json.
    for (const line of String(d).split('\n'))
      if (line.startsWith('BENCH_ROW ')) process.stderr.write(`${line}\n`);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 300_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const rows: Array<Record<string, unknown>> = [];
  for (const line of out.split('\n')) {
    const json = line.startsWith('BENCH_ROW ') ? line.slice(10) : line.trim();
    if (!json.startsWith('{')) continue;
    try {
      const v = JSON.parse(json) as Record<string, unknown>;
      if ('bench' in v || 'scenario' in v) rows.push(v);
    } catch {
      // not a result line
    }
  }
  if (rows.length === 0)
    throw new Error(
      `bench/${script} ${args.join(' ')} exited with ${code} and printed no result:\n${out.slice(-2000)}`,
    );
  if (code !== 0)
    process.stderr.write(`bench/${script} exited with ${code} (its row is kept, checks say why)\n`);
  return rows;
}

/** Runs a one-run-per-invocation script `runs` times and writes the median run's row. */
async function medianOf(
  script: string,
  args: string[],
  runs: number,
  key: (row: TRow) => number,
): Promise<TRow> {
  const rows: TRow[] = [];
  for (let i = 0; i < runs; i++) {
    for (const raw of await runScript(script, args, { collect: true })) rows.push(adaptRow(raw));
  }
  const mid = medianRun(rows, key);
  const all = rows.map(key).map(round);
  return writeRow({
    ...mid,
    runs,
    checks: [
      ...mid.checks,
      {
        label: `every run passed its checks (figures of the ${runs} runs: ${all.join(', ')})`,
        ok: rows.every((r) => r.checks.every((c) => c.ok)),
      },
    ],
    details: { ...mid.details, allRuns: all },
  });
}

const LEVELS = [100, 300, 650, 1000];
/**
 * Streaming voice: two portal processes (round-robin, one forced reconnect per
 * candidate), every candidate streaming 16 kHz PCM at real time, 20 s answers,
 * 2 questions; transcription and chat at 200 ms, speech at 150 ms.
 */
const INTERVIEW_ARGS = ['--portals', '2', '--questions', '2', '--answer-ms', '20000', '--ramp-ms', '5000'];
const INTERVIEW_QUICK_ARGS = [
  '--portals',
  '2',
  '--questions',
  '2',
  '--answer-ms',
  '4000',
  '--ramp-ms',
  '2000',
];

const SCENARIOS: TScenario[] = [
  {
    name: 'slack-ack',
    run: async ({ runs, quick }) => {
      await runScript('slack-ack.ts', [
        '--runs',
        String(runs),
        ...(quick ? ['--total', '600', '--warmup', '200'] : []),
      ]);
    },
  },
  {
    name: 'booking',
    run: async ({ runs, quick }) => {
      await runScript('booking.ts', ['--runs', String(runs), ...(quick ? ['--jobs', '400'] : [])]);
    },
  },
  {
    name: 'portal',
    run: async ({ runs, quick }) => {
      await runScript('portal.ts', [
        '--runs',
        String(runs),
        ...(quick ? ['--total', '1500', '--warmup', '300'] : []),
      ]);
    },
  },
  {
    name: 'interview',
    run: async ({ runs, quick }) => {
      const levels = quick ? [25, 100] : LEVELS;
      const args = quick ? INTERVIEW_QUICK_ARGS : INTERVIEW_ARGS;
      const points: Array<Record<string, unknown>> = [];
      for (const n of levels) {
        // Several runs where the target is; one run per level above it (the growth curve).
        const times = n === 300 ? runs : 1;
        const timeoutMs = quick ? 420_000 : 900_000;
        const rows: Array<Record<string, unknown>> = [];
        for (let i = 0; i < times; i++) {
          rows.push(
            ...(await runScript('interview.ts', [...args, '--candidates', String(n)], { timeoutMs })),
          );
        }
        const mid = medianRun(rows, (r) => Number(r.addedP95Ms));
        points.push({ ...mid, runs: times, allRunsAddedP95Ms: rows.map((r) => Number(r.addedP95Ms)) });
        process.stderr.write(
          `interview ${n}: added p95 ${mid.addedP95Ms} ms, ${mid.memPerCandidateKb} KB per candidate (${times} run(s))\n`,
        );
      }
      const row = adaptInterview(points);
      await writeRow(row);
      const growth = row.details.growth as Array<{
        candidates: number;
        addedP95Ms: number;
        addedP50Ms: number;
        peakRssMb: number;
      }>;
      await writeFile(
        `${RESULTS_DIR}interview.svg`,
        interviewSvg(growth, {
          targetMs: 50,
          title: 'interview (streaming voice): server-added p95 and portal memory vs concurrent candidates',
        }),
      );
    },
  },
  {
    name: 'voice-turn',
    run: async ({ runs, quick }) => {
      // One interview per run in a real browser (≈ 2 min for 8 turns); the script writes the row itself.
      await runScript('voice-turn.ts', ['--runs', String(runs), '--turns', quick ? '4' : '8'], {
        timeoutMs: 20 * 60_000,
      });
    },
  },
  {
    name: 'email',
    run: async ({ runs, quick }) => {
      // email.ts alternates its own runs (pipeline, direct, …) and writes the median row itself.
      await runScript('email.ts', [...(quick ? ['300', '--warmup', '100'] : []), '--runs', String(runs)]);
    },
  },
  {
    name: 'evaluation',
    run: async ({ runs, quick }) => {
      await medianOf('evaluation.ts', quick ? ['60'] : [], runs, (r) => r.value);
    },
  },
];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { runs: { type: 'string', default: '3' }, quick: { type: 'boolean', default: false } },
  });
  const unknown = positionals.filter((p) => !SCENARIOS.some((s) => s.name === p));
  if (unknown.length > 0) {
    console.error(
      `Unknown scenario ${unknown.join(', ')}. Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}.`,
    );
    process.exit(2);
  }
  const chosen = positionals.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => positionals.includes(s.name));
  const runs = values.quick ? 1 : Math.max(1, Number(values.runs));
  const began = performance.now();
  const failed: string[] = [];
  for (const s of chosen) {
    const t0 = performance.now();
    process.stderr.write(`\n▶ ${s.name}\n`);
    try {
      await s.run({ runs, quick: values.quick ?? false });
      process.stderr.write(`✔ ${s.name} in ${Math.round((performance.now() - t0) / 1000)} s\n`);
    } catch (err) {
      failed.push(s.name);
      process.stderr.write(`✘ ${s.name} failed: ${(err as Error).message}\n`);
    }
  }
  process.stderr.write(`\nAll done in ${Math.round((performance.now() - began) / 1000)} s.\n\n`);
  process.stdout.write(await readFile(`${RESULTS_DIR}latest.md`, 'utf8').catch(() => 'no results\n'));
  if (failed.length > 0) {
    process.stderr.write(`Scenarios that did not finish: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
