/**
 * booking: 2,000 booking jobs racing for 50 slots of 3 seats each, taken by 4
 * workers in 2 processes (the real worker, `tests/helpers/worker-process.ts`,
 * concurrency 2 each), with the Slack emulator in a process of its own.
 *
 * A booking job decides (seat or reason, one statement) and queues a notify job
 * that tells Slack and queues email + prepare; the notify workers run in the same
 * two processes (concurrency 2 each) during the measurement, competing for the
 * same cores.
 *
 * Checks: exactly 150 seats taken and 150 interviews, no slot over capacity,
 * no failed job (booking or notify). Figure: bookings decided per second (from
 * enqueue to the last booking job done); the time until the last notify job is
 * done (every recruiter told) is in the details. Baseline: the same 2,000
 * conditional seat updates (the booking's own UPDATE … WHERE "seatsTaken" <
 * capacity) through `pg`, 2 processes × 2 connections, as a plain loop.
 *
 *   npx tsx bench/booking.ts [--runs 3] [--jobs 2000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { JOBS } from '../src/infra/queue/catalogue.js';
import { bookingJobId } from '../src/infra/queue/jobs/booking.js';
import { cleanPrefix, TEST_REDIS_URL } from '../tests/helpers/redis.js';
import {
  alternate,
  BENCH_CHANNEL,
  BENCH_RECRUITER,
  createBenchDb,
  isMain,
  median,
  medianRun,
  panelistEnv,
  round,
  startServer,
  type TServer,
  writeRow,
} from './harness.js';

const SLOTS = 50;
const CAPACITY = 3;
const PROCESSES = 2;
const PER_PROCESS = 2;

/** The booking's own seat update (src/services/booking/book-interview.ts takeSeat). */
const TAKE_SEAT = `UPDATE "Slot" SET "seatsTaken" = "seatsTaken" + 1
  WHERE id = $1::uuid AND "seatsTaken" < capacity AND "closedAt" IS NULL AND "startsAt" > $2
  RETURNING "startsAt", "durationMinutes"`;

/**
 * Child: the plain loop. Connects, prints `ready`, and on SIGUSR2 runs
 * `count` seat updates over `concurrency` connections, prints `done <taken>`, exits.
 */
async function sqlLoop(): Promise<void> {
  const slotIds = (process.env.SLOT_IDS ?? '').split(',');
  const count = Number(process.env.COUNT);
  const offset = Number(process.env.OFFSET ?? 0);
  const concurrency = Number(process.env.CONCURRENCY ?? PER_PROCESS);
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      return c;
    }),
  );
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.once('SIGUSR2', () => resolve()));
  let next = 0;
  let taken = 0;
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const res = await c.query(TAKE_SEAT, [slotIds[(offset + i) % slotIds.length], new Date()]);
        taken += res.rowCount ?? 0;
      }
    }),
  );
  process.stdout.write(`done ${taken}\n`);
  await Promise.all(clients.map((c) => c.end()));
  process.exit(0);
}

type TRun = {
  perSecond: number;
  ms: number;
  /** Enqueue → last notify job done: every recruiter told (pipeline only). */
  notifiedMs?: number;
  seats: number;
  interviews: number;
  oversold: number;
  failed: number;
  /** Handler time per job (BullMQ processedOn → finishedOn), median, by outcome; a sample of 200. */
  jobMs?: Record<string, number>;
  /** The same for the notify jobs of that sample. */
  notifyMs?: Record<string, number>;
};

async function seedSlots(client: pg.Client): Promise<string[]> {
  const res = await client.query<{ id: string }>(
    `INSERT INTO "Slot" (id, "startsAt", "durationMinutes", capacity, "seatsTaken", "timeZone")
     SELECT gen_random_uuid(), now() + interval '7 days' + (g || ' hours')::interval, 30, $1, 0, 'America/New_York'
     FROM generate_series(1, $2) g RETURNING id`,
    [CAPACITY, SLOTS],
  );
  return res.rows.map((r) => r.id);
}

async function check(client: pg.Client, slotIds: string[]) {
  const r = await client.query<{ seats: string; oversold: string; interviews: string }>(
    `SELECT coalesce(sum("seatsTaken"), 0) AS seats,
            count(*) FILTER (WHERE "seatsTaken" > capacity) AS oversold,
            (SELECT count(*) FROM "Interview" i WHERE i."slotId" = ANY($1::uuid[])) AS interviews
     FROM "Slot" WHERE id = ANY($1::uuid[])`,
    [slotIds],
  );
  const over = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT i."slotId" FROM "Interview" i JOIN "Slot" s ON s.id = i."slotId"
       WHERE i."slotId" = ANY($1::uuid[]) GROUP BY i."slotId", s.capacity HAVING count(*) > s.capacity) x`,
    [slotIds],
  );
  const row = r.rows[0]!;
  return {
    seats: Number(row.seats),
    interviews: Number(row.interviews),
    oversold: Number(row.oversold) + Number(over.rows[0]!.n),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: 'string', default: '3' },
      jobs: { type: 'string', default: '2000' },
      /** Writes V8 CPU profiles of the worker processes to this directory. */
      profile: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const jobs = Number(values.jobs);
  const db = await createBenchDb();
  const prefix = `pbench-${randomBytes(4).toString('hex')}`;
  const children: TServer[] = [];
  const client = new pg.Client({ connectionString: db.url });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('booking', {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts: JOBS.booking.attempts,
      backoff: JOBS.booking.backoff,
      removeOnComplete: { count: 100_000 },
      removeOnFail: { count: 100_000 },
    },
  });
  const notifyQueue = new Queue('notify', { connection: redis, prefix });
  try {
    await client.connect();
    const role = await client.query<{ id: string }>(
      `INSERT INTO "Role" (id, title, "updatedAt") VALUES (gen_random_uuid(), 'Backend Engineer', now()) RETURNING id`,
    );
    const roleId = role.rows[0]!.id;
    const slack = await startServer('bench/peers.ts', [], {});
    children.push(slack);
    const env = panelistEnv(
      { databaseUrl: db.url, prefix, slackApiUrl: slack.url },
      { LOG_LEVEL: 'warn', WORKER_CONCURRENCY: String(PER_PROCESS) },
    );
    for (let p = 0; p < PROCESSES; p++) {
      children.push(
        await startServer(
          'tests/helpers/worker-process.ts',
          ['booking,notify'],
          env,
          values.profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] } : {},
        ),
      );
    }

    let round_ = 0;
    const pipeline = async (count: number): Promise<TRun> => {
      const slotIds = await seedSlots(client);
      const tag = `r${round_++}`;
      const before = await queue.getJobCounts('completed', 'failed');
      const notifyBefore = await notifyQueue.getJobCounts('completed', 'failed');
      const requestIds = Array.from({ length: count }, () => `bench-${tag}-${randomUUID()}`);
      // The submissions as the bot stores them (BookingRequest); the jobs carry their ids only.
      await client.query(
        `INSERT INTO "BookingRequest" ("id", "slotId", "roleId", "candidateName", "candidateEmail",
           "candidateTimeZone", "recruiterSlackUser", "slackChannelId", "updatedAt")
         SELECT r.id, r.slot, $3::uuid, 'Candidate ' || r.i, 'c' || r.i || '-' || $4 || '@example.com',
                'Europe/Berlin', $5, $6, now()
         FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS r(id, slot, i)`,
        [
          requestIds,
          requestIds.map((_, i) => slotIds[i % SLOTS]!),
          roleId,
          tag,
          BENCH_RECRUITER,
          BENCH_CHANNEL,
        ],
      );
      const data = requestIds.map((bookingRequestId) => {
        const payload = JOBS.booking.payload.parse({ bookingRequestId, attempt: 1 });
        return { name: 'booking', data: payload, opts: { jobId: bookingJobId(payload) } };
      });
      const finishedSince = (c: Record<string, number>, b: Record<string, number>): number =>
        (c.completed ?? 0) - (b.completed ?? 0) + (c.failed ?? 0) - (b.failed ?? 0);
      const t0 = performance.now();
      for (let i = 0; i < data.length; i += 500) await queue.addBulk(data.slice(i, i + 500));
      let counts = before;
      for (;;) {
        counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
        if (finishedSince(counts, before) >= count && (counts.delayed ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const ms = performance.now() - t0;
      // Every booking job queues exactly one notify job; wait until all of them are done too.
      let notifyCounts = notifyBefore;
      for (;;) {
        notifyCounts = await notifyQueue.getJobCounts('completed', 'failed', 'delayed');
        if (finishedSince(notifyCounts, notifyBefore) >= count && (notifyCounts.delayed ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const notifiedMs = performance.now() - t0;
      const c = await check(client, slotIds);
      const sample = await Promise.all(data.slice(0, 200).map((d) => queue.getJob(d.opts.jobId)));
      const byOutcome = (jobs: Array<Job | undefined>) => {
        const ms: Record<string, number[]> = {};
        for (const j of jobs) {
          if (!j?.finishedOn || !j.processedOn) continue;
          const k = String(j.returnvalue ?? 'failed');
          ms[k] ??= [];
          ms[k]!.push(j.finishedOn - j.processedOn);
        }
        return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
      };
      // The newest 200 notify jobs: this run's (a run has far more).
      const notifySample = await notifyQueue.getCompleted(0, 199);
      return {
        perSecond: (count / ms) * 1000,
        ms,
        notifiedMs,
        ...c,
        failed:
          (counts.failed ?? 0) -
          (before.failed ?? 0) +
          (notifyCounts.failed ?? 0) -
          (notifyBefore.failed ?? 0),
        jobMs: byOutcome(sample),
        notifyMs: byOutcome(notifySample),
      };
    };

    const plainLoop = async (count: number): Promise<TRun> => {
      const slotIds = await seedSlots(client);
      const loops: TServer[] = [];
      for (let p = 0; p < PROCESSES; p++) {
        loops.push(
          await startServer('bench/booking.ts', ['sql-loop'], {
            DATABASE_URL: db.url,
            SLOT_IDS: slotIds.join(','),
            COUNT: String(count / PROCESSES),
            OFFSET: String(p),
            CONCURRENCY: String(PER_PROCESS),
          }),
        );
      }
      const finished = loops.map((l) => new Promise<void>((resolve) => l.proc.once('exit', () => resolve())));
      const t0 = performance.now();
      for (const l of loops) l.proc.kill('SIGUSR2');
      await Promise.all(finished);
      const ms = performance.now() - t0;
      const c = await check(client, slotIds);
      return { perSecond: (count / ms) * 1000, ms, ...c, failed: 0 };
    };

    // Warm-up, not measured: JIT in every process, pools and prepared plans.
    await pipeline(200);
    await plainLoop(200);
    const result = await alternate(
      runs,
      { a: () => pipeline(jobs), b: () => plainLoop(jobs) },
      (r) => r.perSecond,
    );
    const value = result.medianA;
    const base = result.medianB;
    const ratio = value / base;
    const expected = SLOTS * CAPACITY;
    const allRight = result.a.every(
      (r) => r.seats === expected && r.interviews === expected && r.oversold === 0,
    );
    const failed = result.a.reduce((s, r) => s + r.failed, 0);
    await writeRow({
      scenario: 'booking',
      figure: `bookings/s (${jobs} jobs → ${SLOTS} slots × ${CAPACITY}, ${PROCESSES}×${PER_PROCESS} workers)`,
      value,
      unit: '/s',
      baseline: { label: 'plain SQL loop, same conditional UPDATE, same concurrency', value: base },
      ratio,
      better: 'higher',
      target: 'exactly 150 seats, 0 oversold; ≥ 0.5× the plain loop',
      checks: [
        {
          label: `every run: seats ${result.a.map((r) => r.seats).join('/')}, interviews ${result.a
            .map((r) => r.interviews)
            .join('/')} of ${expected}, oversold ${result.a.map((r) => r.oversold).join('/')}`,
          ok: allRight,
        },
        { label: `${failed} jobs failed`, ok: failed === 0 },
        { label: `${round(ratio)}× the plain loop (target ≥ 0.5×)`, ok: ratio >= 0.5 },
        {
          label: `plain loop also took exactly ${expected} (${result.b.map((r) => r.seats).join('/')})`,
          ok: result.b.every((r) => r.seats === expected),
        },
      ],
      runs,
      details: {
        jobs,
        pipelineMs: median(result.a.map((r) => r.ms)),
        plainLoopMs: median(result.b.map((r) => r.ms)),
        handlerMsMedianByOutcome: medianRun(result.a, (r) => r.perSecond).jobMs,
        notifyHandlerMsMedianByOutcome: medianRun(result.a, (r) => r.perSecond).notifyMs,
        // Enqueue → the last notify job done: when every recruiter has been told.
        notifiedMs: median(result.a.map((r) => r.notifiedMs ?? 0)),
        notifiedPerSecond: round((jobs / median(result.a.map((r) => r.notifiedMs ?? 0))) * 1000),
        pipelineRunsPerSecond: result.a.map((r) => round(r.perSecond)),
        plainLoopRunsPerSecond: result.b.map((r) => round(r.perSecond)),
      },
    });
  } finally {
    for (const c of children.reverse()) await c.stop();
    await queue.close();
    await notifyQueue.close();
    redis.disconnect();
    await client.end().catch(() => undefined);
    await cleanPrefix(prefix);
    await db.drop();
  }
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === 'sql-loop') await sqlLoop();
  else await main();
}
