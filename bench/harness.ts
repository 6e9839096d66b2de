/**
 * Shared machinery for the benchmarks: statistics (nearest-rank percentiles,
 * median of runs), a concurrency-limited HTTP load generator, child processes
 * for the servers under test, throwaway databases, and the results files
 * (`bench/results/latest.json` and `latest.md`).
 *
 * Every scenario reports one row: its figure, the baseline measured in the same
 * run, their ratio and the target. Scenarios written before this harness print
 * their own JSON; `adaptRow` turns those into rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/infra/db/migrate.js';
import { ADMIN_URL, databaseUrl } from '../tests/helpers/pg-urls.js';
import { TEST_REDIS_URL } from '../tests/helpers/redis.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** The Slack workspace every benchmark talks to (see bench/peers.ts). */
export const BENCH_TOKEN = 'xoxb-bench-token';
export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789';
export const BENCH_RECRUITER = 'U_BENCH_RECRUITER';
export const BENCH_CHANNEL = 'C_BENCH';

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile (p in 0..1) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type TSummary = { n: number; p50: number; p95: number; p99: number; max: number; mean: number };

export function summarize(samples: readonly number[]): TSummary {
  const n = samples.length;
  return {
    n,
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
    max: n === 0 ? Number.NaN : Math.max(...samples),
    mean: n === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / n,
  };
}

/** Drops the first `warmup` samples (JIT, connection set-up, caches) and keeps the rest. */
export function afterWarmup<T>(samples: readonly T[], warmup: number): T[] {
  return samples.slice(Math.min(warmup, samples.length));
}

/** Rounds for display and JSON: 2 significant decimals below 10, 1 below 100, else whole. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  const d = a < 10 ? 2 : a < 100 ? 1 : 0;
  return Number(v.toFixed(d));
}

/**
 * Runs `measure` `runs` times for each side, alternating (a, b, a, b, …) so
 * drift in the machine's load hits both sides alike; returns every run and the
 * median of `key` per side.
 */
export async function alternate<T>(
  runs: number,
  sides: { a: () => Promise<T>; b: () => Promise<T> },
  key: (r: T) => number,
): Promise<{ a: T[]; b: T[]; medianA: number; medianB: number }> {
  const a: T[] = [];
  const b: T[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await sides.a());
    b.push(await sides.b());
  }
  return { a, b, medianA: median(a.map(key)), medianB: median(b.map(key)) };
}

/** The run whose `key` is the median one (the lower middle for an even count). */
export function medianRun<T>(runs: readonly T[], key: (r: T) => number): T {
  const sorted = [...runs].sort((x, y) => key(x) - key(y));
  return sorted[(sorted.length - 1) >> 1]!;
}

// ---------------------------------------------------------------- HTTP load

export type TRequest = {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Groups latencies by kind of request in `byTag`. */
  tag?: string;
};
export type TLoadResult = {
  /** Latency of each measured request in ms (warm-up excluded), in completion order. */
  latencies: number[];
  byTag: Record<string, number[]>;
  statuses: Record<number, number>;
  /** Measured requests per second (wall time of the measured part only). */
  rps: number;
  wallMs: number;
};

/**
 * HTTP load from this process, `concurrency` requests in flight, each client on
 * its own keep-alive connection. `make(i)` builds request i (bodies can be
 * signed just in time). The first `warmup` completions are not measured.
 *
 * - `closed` (default): each client sends its next request as soon as the
 *   previous answer is complete, until `total` are done: the saturated server,
 *   so latency is mostly queueing and the figure that matters is requests/s.
 * - `waves`: `concurrency` requests leave at the same instant, the next wave
 *   after all have answered and `gapMs` of quiet: a burst of that many
 *   simultaneous users, the latency each of them sees.
 */
export async function httpLoad(opts: {
  url: string;
  concurrency: number;
  total: number;
  warmup: number;
  make: (i: number) => TRequest;
  mode?: 'closed' | 'waves';
  gapMs?: number;
}): Promise<TLoadResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  const byTag: Record<string, number[]> = {};
  const statuses: Record<number, number> = {};
  let next = 0;
  let done = 0;
  let measuredFrom = 0;
  const all = opts.warmup + opts.total;
  // The clock starts when the request has been handed to the OS ('finish'), as a sender like
  // Slack starts its timeout: building and writing the other requests of a wave is the load
  // generator's own work, not the server's, and would otherwise count against both sides.
  const one = (req: TRequest) =>
    new Promise<number>((resolve, reject) => {
      let started = performance.now();
      const r = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.path,
          agent,
          headers: {
            ...(req.headers ?? {}),
            ...(req.body === undefined ? {} : { 'content-length': Buffer.byteLength(req.body) }),
          },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            resolve(performance.now() - started);
          });
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.on('finish', () => {
        started = performance.now();
      });
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  const record = (req: TRequest, ms: number) => {
    done++;
    if (done === opts.warmup) {
      measuredFrom = performance.now();
      for (const k of Object.keys(statuses)) delete statuses[Number(k)];
    }
    if (done > opts.warmup) {
      latencies.push(ms);
      if (req.tag !== undefined) {
        byTag[req.tag] ??= [];
        byTag[req.tag]!.push(ms);
      }
    }
  };
  if (opts.mode === 'waves') {
    let idleMs = 0;
    while (next < all) {
      const wave: TRequest[] = [];
      while (wave.length < opts.concurrency && next < all) wave.push(opts.make(next++));
      const results = await Promise.all(wave.map(one));
      for (const [k, ms] of results.entries()) record(wave[k]!, ms);
      if (next < all && opts.gapMs) {
        await new Promise((r) => setTimeout(r, opts.gapMs));
        if (done > opts.warmup) idleMs += opts.gapMs;
      }
    }
    const wallMs = performance.now() - (measuredFrom || performance.now()) - idleMs;
    agent.destroy();
    return { latencies, byTag, statuses, rps: (latencies.length / wallMs) * 1000, wallMs };
  }
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= all) return;
        const req = opts.make(i);
        record(req, await one(req));
      }
    }),
  );
  const wallMs = performance.now() - (measuredFrom || performance.now());
  agent.destroy();
  return { latencies, byTag, statuses, rps: (latencies.length / wallMs) * 1000, wallMs };
}

// ---------------------------------------------------------------- processes

export type TServer = { url: string; proc: ChildProcess; pid: number; stop(): Promise<void> };

/**
 * Starts `node --import tsx script args…` as a separate process and waits for a line
 * `ready <url>` on its stdout. Later output is drained (never kept), so a chatty
 * server cannot fill the pipe or this process's memory.
 */
export async function startServer(
  script: string,
  args: string[],
  env: Record<string, string>,
  opts: { readyPattern?: RegExp; timeoutMs?: number; execArgv?: string[] } = {},
): Promise<TServer> {
  const pattern = opts.readyPattern ?? /^ready(?: (\S+))?$/m;
  // Node itself with tsx as a loader (not the tsx CLI, which would add a wrapper
  // process): signals and /proc figures then reach the server itself.
  const proc = spawn(
    process.execPath,
    [...(opts.execArgv ?? profileArgs()), '--import', 'tsx', script, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let head = '';
  let isReady = false;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not get ready:\n${head.slice(-4000)}`)),
      opts.timeoutMs ?? 60_000,
    );
    const onData = (d: Buffer) => {
      if (isReady) return;
      head += d;
      const m = pattern.exec(head);
      if (m) {
        isReady = true;
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      if (!isReady) head += d;
      else if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${script} exited with ${code}:\n${head.slice(-4000)}`));
    });
  });
  return {
    url,
    proc,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** BENCH_PROFILE=<dir>: every server a scenario starts writes a V8 CPU profile there. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Resident memory of a process in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux, 100 Hz ticks). */
export async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------- databases

/**
 * Panelist's environment for a scenario's server processes: a production configuration
 * (src/config.ts) on the bench database and queue prefix, talking to `slackApiUrl`.
 * `extra` adds or overrides variables (log level, SMTP, the model…).
 */
export function panelistEnv(
  o: { databaseUrl: string; prefix: string; slackApiUrl: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://portal.bench',
    DATA_DIR: `/tmp/panelist-bench-${o.prefix}`,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: o.prefix,
    SLACK_BOT_TOKEN: BENCH_TOKEN,
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: o.slackApiUrl,
    TRANSCRIPT_LINK_SECRET: 'bench-transcript-secret-0123456789abcdef',
    CANDIDATE_LINK_SECRET: 'bench-candidate-link-secret-0123456789abcdef',
    ...extra,
  };
}

export type TBenchDb = { url: string; name: string; drop(): Promise<void> };

/** A fresh, migrated PostgreSQL database of its own; `drop()` removes it. */
export async function createBenchDb(): Promise<TBenchDb> {
  const name = `panelist_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  await migrate(url);
  return {
    url,
    name,
    async drop() {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

// ---------------------------------------------------------------- results

export type TDirection = 'higher' | 'lower';

export type TCheck = { label: string; ok: boolean };

export type TRow = {
  scenario: string;
  /** What is measured, e.g. "ack p99 (ms)". */
  figure: string;
  value: number;
  unit: string;
  baseline: { label: string; value: number };
  /** value / baseline.value. */
  ratio: number;
  /** Whether a higher or a lower value is better (says how to read the ratio). */
  better: TDirection;
  /** The target as the issue states it. */
  target: string;
  /** Each part of the target, met or not. */
  checks: TCheck[];
  /** How many measured runs per side the figures are the median of. */
  runs: number;
  details: Record<string, unknown>;
  at?: string;
  host?: string;
};

type TResults = { updated: string; host: string; rows: TRow[] };

export function hostInfo(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`;
}

const ORDER = ['slack-ack', 'booking', 'portal', 'interview', 'voice-turn', 'email', 'evaluation'];

/**
 * Stores a scenario's row in `latest.json` (replacing that scenario's previous
 * row, keeping the others), rewrites `latest.md`, and prints the row as one
 * JSON line (only prints it when BENCH_COLLECT=1). Raw rows from the older scripts (`{ bench: … }`) are adapted first.
 */
export async function writeRow(input: TRow | Record<string, unknown>): Promise<TRow> {
  const row = adaptRow(input);
  const stamped: TRow = {
    ...row,
    details: { ...row.details, loadAvg1m: round(os.loadavg()[0] ?? Number.NaN) },
    at: new Date().toISOString(),
    host: hostInfo(),
  };
  // bench/run.ts collects single runs itself and writes the median one.
  if (process.env.BENCH_COLLECT === '1') {
    process.stdout.write(`BENCH_ROW ${JSON.stringify(stamped)}\n`);
    return stamped;
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}latest.json`;
  let current: TResults = { updated: '', host: '', rows: [] };
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as TResults;
  } catch {
    // first run
  }
  const rows = [...current.rows.filter((r) => r.scenario !== stamped.scenario), stamped].sort(
    (x, y) => rank(x.scenario) - rank(y.scenario),
  );
  const next: TResults = { updated: stamped.at!, host: stamped.host!, rows };
  await atomicWrite(file, `${JSON.stringify(next, null, 2)}\n`);
  await atomicWrite(`${RESULTS_DIR}latest.md`, renderMarkdown(next));
  process.stdout.write(`BENCH_ROW ${JSON.stringify(stamped)}\n`);
  return stamped;
}

function rank(s: string): number {
  const i = ORDER.indexOf(s);
  return i === -1 ? ORDER.length : i;
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

const fmt = (v: number) => (Number.isFinite(v) ? String(round(v)) : '—');

export function renderMarkdown(results: TResults): string {
  const lines = [
    '# Benchmark results',
    '',
    `Last updated ${results.updated} on ${results.host}. Each figure is the median of the runs shown; warm-up excluded.`,
    '',
    '| scenario | figure | value | baseline (same run) | baseline value | ratio | target | met |',
    '|---|---|---:|---|---:|---:|---|---|',
  ];
  for (const r of results.rows) {
    const met = r.checks.every((c) => c.ok);
    lines.push(
      `| \`${r.scenario}\` | ${r.figure} | ${fmt(r.value)} ${r.unit} | ${r.baseline.label} | ${fmt(r.baseline.value)} ${r.unit} | ${fmt(r.ratio)}× | ${r.target} | ${met ? 'yes' : 'no'} |`,
    );
  }
  lines.push('', '## Checks', '');
  for (const r of results.rows) {
    lines.push(`**${r.scenario}** (${r.runs} run${r.runs === 1 ? '' : 's'} per side, ${r.at ?? ''})`, '');
    for (const c of r.checks) lines.push(`- ${c.ok ? '✅' : '❌'} ${c.label}`);
    const extra = Object.entries(r.details)
      .map(([k, v]) => [
        k,
        typeof v === 'number' ? String(round(v)) : typeof v === 'object' ? JSON.stringify(v) : String(v),
      ])
      .filter(([, v]) => v !== undefined && v.length <= 160)
      .map(([k, v]) => `${k}=${v}`);
    if (extra.length > 0) lines.push(`- details: ${extra.join(', ')}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- adapters

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

/**
 * Rows from the scenario scripts that print their own JSON (`bench: 'interview'`,
 * `'evaluation'`) in the harness's shape. Already-shaped rows
 * pass through.
 */
export function adaptRow(input: TRow | Record<string, unknown>): TRow {
  if ('scenario' in input && 'checks' in input) return input as TRow;
  const raw = input as Record<string, unknown>;
  switch (raw.bench) {
    case 'evaluation':
      return adaptEvaluation(raw);
    case 'interview':
      return adaptInterview([raw]);
    default:
      throw new Error(`no adapter for benchmark row ${JSON.stringify(raw).slice(0, 200)}`);
  }
}

function adaptEvaluation(raw: Record<string, unknown>): TRow {
  const stat = (v: unknown, k: string) => num((v as Record<string, unknown> | undefined)?.[k]);
  const overheadP95 = stat(raw.overheadMs, 'p95');
  const handlerP95 = stat(raw.handlerMs, 'p95');
  const jobs = num(raw.jobs);
  const model = num(raw.modelLatencyMs);
  // The model's own time per job: its fixed latency times the calls it was asked per job.
  const modelPerJob = Number.isFinite(num(raw.modelCalls)) ? (model * num(raw.modelCalls)) / jobs : model;
  const failures = num(raw.failures ?? 0);
  const duplicates = num(raw.duplicatePosts ?? 0);
  return {
    scenario: 'evaluation',
    figure: `overhead p95 per evaluation job, end to end minus the model (${jobs} jobs)`,
    value: overheadP95,
    unit: 'ms',
    baseline: { label: 'the model’s own latency per job', value: modelPerJob },
    ratio: handlerP95 / modelPerJob,
    better: 'lower',
    target: 'overhead p95 ≤ 100 ms',
    checks: [
      { label: `overhead p95 ${round(overheadP95)} ms (target ≤ 100 ms)`, ok: overheadP95 <= 100 },
      {
        label: `${failures} failed jobs, ${num(raw.posts)} posts for ${jobs} jobs, ${duplicates} duplicate posts`,
        ok: failures === 0 && duplicates === 0,
      },
    ],
    runs: num(raw.runs ?? 1),
    details: { ...raw, overheadP50: stat(raw.overheadMs, 'p50'), handlerP95 },
  };
}

/** Interview rows, one per concurrency level; the first level (300) is the one with the target. */
export function adaptInterview(levels: Array<Record<string, unknown>>): TRow {
  const sorted = [...levels].sort((a, b) => num(a.candidates) - num(b.candidates));
  const first = sorted.find((l) => num(l.candidates) === 300) ?? sorted[0]!;
  const p95 = num(first.addedP95Ms);
  const model = num(first.modelLatencyMs);
  const growth = sorted.map((l) => ({
    candidates: num(l.candidates),
    addedP50Ms: num(l.addedP50Ms),
    addedP95Ms: num(l.addedP95Ms),
    turnP95Ms: num(l.turnP95Ms),
    ackP95Ms: num(l.ackP95Ms ?? Number.NaN),
    peakRssMb: num(l.peakRssMb),
    memPerCandidateKb: num(l.memPerCandidateKb ?? Number.NaN),
    cpuMsPerTurn: num(l.portalCpuMsPerTurn ?? l.cpuMsPerTurn),
    sqlPerTurn: num(l.sqlPerTurn ?? Number.NaN),
    redisCommandsPerTurn: num(l.redisCommandsPerTurn ?? Number.NaN),
    reconnects: num(l.reconnects ?? 0),
    errors: num(l.errors),
    answersWhole: num(l.answersWhole ?? Number.NaN),
    answersStored: num(l.answersStored ?? Number.NaN),
    completed: num(l.completed),
    runs: num(l.runs ?? 1),
  }));
  const last = growth[growth.length - 1]!;
  const errors = growth.reduce((s, g) => s + g.errors, 0);
  const lost = growth.reduce((s, g) => s + (g.answersStored - g.answersWhole || 0), 0);
  return {
    scenario: 'interview',
    figure: `server-added latency p95 per voice turn at ${num(first.candidates)} candidates (ms)`,
    value: p95,
    unit: 'ms',
    baseline: { label: 'the model’s own latency per turn (transcription + chat)', value: model },
    ratio: (p95 + model) / model,
    better: 'lower',
    target: 'added p95 ≤ 50 ms up to 1,000 streaming candidates; report memory per candidate',
    checks: [
      ...growth.map((g) => ({
        label: `${g.candidates} candidates: added p95 ${round(g.addedP95Ms)} ms (target ≤ 50), ${round(g.memPerCandidateKb)} KB per candidate, ack p95 ${round(g.ackP95Ms)} ms`,
        ok: g.addedP95Ms <= 50,
      })),
      { label: `${errors} protocol errors across all levels`, ok: errors === 0 },
      { label: `${lost} answers not stored whole (after a forced reconnect per candidate)`, ok: lost === 0 },
    ],
    runs: num(first.runs ?? 1),
    details: {
      growth,
      peakRssMbAtMax: last.peakRssMb,
      maxCandidates: last.candidates,
      portals: num(first.portals ?? 1),
      questions: num(first.questions),
      answerMs: num(first.answerMs ?? Number.NaN),
      layout:
        'portals in their own processes (round-robin, one forced reconnect per candidate to the next process); simulated candidates and the model stand-in in the load process',
    },
  };
}

// ---------------------------------------------------------------- plot

/**
 * A small two-axis SVG: server-added p95 latency (left axis, line) and peak
 * memory (right axis, dashed) against concurrent candidates. Written by hand so
 * the benchmarks need no plotting dependency.
 */
export function interviewSvg(
  points: Array<{ candidates: number; addedP95Ms: number; addedP50Ms: number; peakRssMb: number }>,
  opts: { targetMs?: number; title?: string } = {},
): string {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 80, t: 50, b: 60 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = points.map((p) => p.candidates);
  const xMin = 0;
  const xMax = Math.max(...xs, 1) * 1.05;
  const yMax = niceCeil(Math.max(...points.map((p) => p.addedP95Ms), opts.targetMs ?? 0, 1) * 1.15);
  const mMax = niceCeil(Math.max(...points.map((p) => p.peakRssMb), 1) * 1.15);
  const X = (v: number) => m.l + ((v - xMin) / (xMax - xMin)) * pw;
  const Y = (v: number) => m.t + ph - (v / yMax) * ph;
  const M = (v: number) => m.t + ph - (v / mMax) * ph;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const path = (f: (p: (typeof points)[number]) => number) =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.candidates).toFixed(1)},${f(p).toFixed(1)}`).join(' ');
  const ticks = (max: number) => Array.from({ length: 6 }, (_, i) => (max / 5) * i);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title ?? 'interview: server-added latency and memory vs concurrent candidates')}</text>`,
  ];
  for (const t of ticks(yMax)) {
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(t).toFixed(1)}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${m.l - 8}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end" fill="#1f77b4">${round(t)}</text>`,
    );
  }
  for (const t of ticks(mMax)) {
    out.push(`<text x="${m.l + pw + 8}" y="${(M(t) + 4).toFixed(1)}" fill="#d62728">${round(t)}</text>`);
  }
  for (const x of xs) {
    out.push(
      `<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${m.t + ph}" y2="${m.t + ph + 5}" stroke="#333"/>`,
      `<text x="${X(x).toFixed(1)}" y="${m.t + ph + 20}" text-anchor="middle">${x}</text>`,
    );
  }
  out.push(
    `<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#1f77b4"/>`,
    `<line x1="${m.l + pw}" x2="${m.l + pw}" y1="${m.t}" y2="${m.t + ph}" stroke="#d62728"/>`,
    `<text x="${m.l + pw / 2}" y="${H - 15}" text-anchor="middle">concurrent candidates</text>`,
    `<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">server-added latency per turn (ms)</text>`,
    `<text transform="translate(${W - 18} ${m.t + ph / 2}) rotate(90)" text-anchor="middle" fill="#d62728">peak memory (MB RSS)</text>`,
  );
  if (opts.targetMs !== undefined) {
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(opts.targetMs).toFixed(1)}" y2="${Y(opts.targetMs).toFixed(1)}" stroke="#2ca02c" stroke-dasharray="2 3"/>`,
      `<text x="${m.l + 6}" y="${(Y(opts.targetMs) - 5).toFixed(1)}" fill="#2ca02c">target p95 ≤ ${opts.targetMs} ms</text>`,
    );
  }
  out.push(
    `<path d="${path((p) => Y(p.addedP95Ms))}" fill="none" stroke="#1f77b4" stroke-width="2.5"/>`,
    `<path d="${path((p) => Y(p.addedP50Ms))}" fill="none" stroke="#1f77b4" stroke-width="1.5" stroke-dasharray="1 3"/>`,
    `<path d="${path((p) => M(p.peakRssMb))}" fill="none" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/>`,
  );
  for (const p of points) {
    out.push(
      `<circle cx="${X(p.candidates).toFixed(1)}" cy="${Y(p.addedP95Ms).toFixed(1)}" r="4" fill="#1f77b4"/>`,
      `<text x="${X(p.candidates).toFixed(1)}" y="${(Y(p.addedP95Ms) - 8).toFixed(1)}" text-anchor="middle" fill="#1f77b4">${round(p.addedP95Ms)}</text>`,
      `<rect x="${(X(p.candidates) - 4).toFixed(1)}" y="${(M(p.peakRssMb) - 4).toFixed(1)}" width="8" height="8" fill="#d62728"/>`,
      `<text x="${X(p.candidates).toFixed(1)}" y="${(M(p.peakRssMb) + 18).toFixed(1)}" text-anchor="middle" fill="#d62728">${round(p.peakRssMb)} MB</text>`,
    );
  }
  const lx = m.l + 10;
  const ly = m.t + 8;
  out.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="#1f77b4" stroke-width="2.5"/><text x="${lx + 30}" y="${ly + 4}">added p95</text>`,
    `<line x1="${lx}" x2="${lx + 24}" y1="${ly + 16}" y2="${ly + 16}" stroke="#1f77b4" stroke-width="1.5" stroke-dasharray="1 3"/><text x="${lx + 30}" y="${ly + 20}">added p50</text>`,
    `<line x1="${lx}" x2="${lx + 24}" y1="${ly + 32}" y2="${ly + 32}" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 30}" y="${ly + 36}">peak RSS</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const s of [1, 2, 2.5, 5, 10]) if (v <= s * p) return s * p;
  return 10 * p;
}

/** True when this module's caller is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === process.argv[1];
}
