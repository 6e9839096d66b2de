/**
 * Interview room benchmark, streaming voice: N simulated candidates at once (up
 * to 1,000) take an interview over the real WebSocket protocol v2, each streaming
 * its spoken answers as 16 kHz PCM at real-time rate (a 100 ms frame every 100 ms:
 * speech, then silence until the server decides the answer ended), spread over P
 * portal processes (child processes, round-robin; every candidate's connection
 * drops once mid-answer and reconnects to the next process, resending what was
 * not acknowledged). The OpenAI-compatible test server (in this process) answers
 * transcription, chat and speech after fixed latencies.
 *
 * Server-added latency per turn: from the moment the server could decide
 * (the later of: the frame that completes the pause was sent, the tail's
 * transcription answered, the decision's chat call answered) to the first byte
 * of the next question's speech arriving. It excludes the model's time and the
 * turn-taking pause itself, so it is what the portal, PostgreSQL and Redis add.
 * Also: audio_ack latency (frames are acknowledged in 100 ms batches, by design),
 * memory per candidate (sum of the portals' RSS above their idle RSS, ÷ N), and
 * whether every answer was stored whole (the server's transcript of each piece
 * names its candidate and turn, decoded from the audio bytes).
 *
 *   npx tsx bench/interview.ts [--candidates 300] [--portals 2] [--questions 3] [--answer-ms 3000]
 *                              [--stt-ms 200] [--chat-ms 200] [--tts-ms 150] [--ramp-ms 5000]
 *
 * Needs PostgreSQL (TEST_DATABASE_URL) and Redis. Prints one JSON line.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { generateSessionKey, hashSessionKey } from '../src/domain/session-key.js';
import { createAi } from '../src/infra/ai/client.js';
import { createPrisma } from '../src/infra/db/client.js';
import { createLogger } from '../src/infra/logger.js';
import { createMetrics } from '../src/infra/metrics.js';
import { JobQueues } from '../src/infra/queue/queues.js';
import { createRedis } from '../src/infra/queue/redis.js';
import { buildPortal } from '../src/portal/app.js';
import {
  decodeFrame,
  encodeFrame,
  FLAG_VOICED,
  FRAME_AUDIO,
  FRAME_SPEECH,
  PROTOCOL_VERSION,
} from '../src/portal/protocol.js';
import { testConfig } from '../tests/helpers/config.js';
import { startOpenAiServer } from '../tests/helpers/openai-server.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../tests/helpers/redis.js';
import { cpuMs, createBenchDb, percentile, rssMb, startServer, type TServer } from './harness.js';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '300' },
    portals: { type: 'string', default: '2' },
    questions: { type: 'string', default: '3' },
    'answer-ms': { type: 'string', default: '3000' },
    'stt-ms': { type: 'string', default: '200' },
    'chat-ms': { type: 'string', default: '200' },
    'tts-ms': { type: 'string', default: '150' },
    'ramp-ms': { type: 'string', default: '5000' },
    serve: { type: 'boolean', default: false },
  },
});
const N = Math.min(1000, Math.max(1, Number(values.candidates)));
const PORTALS = Math.min(8, Math.max(1, Number(values.portals)));
const QUESTIONS = Math.min(30, Math.max(2, Number(values.questions)));
const ANSWER_CHUNKS = Math.max(3, Math.round(Number(values['answer-ms']) / 100));
const STT_MS = Math.max(0, Number(values['stt-ms']));
const CHAT_MS = Math.max(0, Number(values['chat-ms']));
const TTS_MS = Math.max(0, Number(values['tts-ms']));
const RAMP_MS = Math.max(0, Number(values['ramp-ms']));
/** Frames sent before the connection is dropped on purpose (in the second answer). */
const DROP_AFTER = Math.min(10, ANSWER_CHUNKS - 1);

const key = (c: number, seq: number) => `${c}:${seq}`;

/** 100 ms of PCM16 at 16 kHz: the first 6 bytes name candidate and turn (the transcription stand-in reads them). */
function chunk(c: number, seq: number, voiced: boolean): Uint8Array {
  const out = new Uint8Array(3200);
  const v = new DataView(out.buffer);
  if (voiced) for (let i = 3; i < 1600; i++) v.setInt16(i * 2, Math.round(Math.sin(i / 5) * 6000), true);
  v.setUint32(0, c, true);
  v.setUint16(4, seq, true);
  return out;
}

async function main() {
  const db = await createBenchDb();
  const prisma = createPrisma(db.url, { maxConnections: 10 });
  const sttAt = new Map<string, number>();
  const chatAt = new Map<string, number>();
  const openai = await startOpenAiServer({
    routeLatencyMs: { transcription: STT_MS, chat: CHAT_MS, speech: TTS_MS },
    // Each piece's audio starts with its candidate and turn (see chunk()).
    transcriptionHandler: ({ audio }) => {
      const v = new DataView(audio.buffer, audio.byteOffset + 44, 6);
      const c = v.getUint32(0, true);
      const seq = v.getUint16(4, true);
      sttAt.set(key(c, seq), Date.now());
      return `Candidate ${c} answer ${seq} is complete.`;
    },
    chatHandler: (req) => {
      const m = /Candidate (\d+) answer (\d+)/.exec(JSON.stringify(req.messages));
      if (m) chatAt.set(key(Number(m[1]), Number(m[2])), Date.now());
      return '{"action":"next"}';
    },
  });
  const prefix = testPrefix();
  const portals: TServer[] = [];
  const statsFiles = Array.from({ length: PORTALS }, (_, p) => join(tmpdir(), `${prefix}-portal-${p}.json`));
  for (let p = 0; p < PORTALS; p++) {
    portals.push(
      await startServer(
        'bench/interview.ts',
        ['--serve'],
        {
          BENCH_DATABASE_URL: db.url,
          BENCH_QUEUE_PREFIX: prefix,
          BENCH_OPENAI_BASE_URL: openai.baseURL,
          BENCH_STATS_FILE: statsFiles[p] as string,
        },
        // A busy machine can take a minute to load the portal's modules.
        { timeoutMs: 180_000 },
      ),
    );
  }
  const bases = portals.map((p) => p.url.replace('http', 'ws'));

  const role = await prisma.role.create({ data: { title: 'Bench Engineer', questionCount: QUESTIONS } });
  const start = new Date(Date.now() - 60_000);
  const slot = await prisma.slot.create({
    data: { startsAt: start, durationMinutes: 60, capacity: N, seatsTaken: N, timeZone: 'UTC' },
  });
  const plan = Array.from({ length: QUESTIONS }, (_, i) => ({
    text: `Benchmark question ${i + 1}: tell me about it.`,
    competency: null,
  }));
  const keys: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const k = generateSessionKey();
    keys.push(k);
    const candidate = await prisma.candidate.create({
      data: { name: `Candidate ${i}`, email: `bench-${i}@example.test`, timeZone: 'UTC' },
    });
    const iv = await prisma.interview.create({
      data: {
        candidateId: candidate.id,
        roleId: role.id,
        slotId: slot.id,
        scheduledStart: start,
        scheduledEnd: new Date(start.getTime() + 60 * 60_000),
        sessionKeyHash: hashSessionKey(k),
        bookingRequestId: `bench-${prefix}-${i}`,
        recruiterSlackUser: 'U_BENCH',
        slackChannelId: 'C_BENCH',
        questionPlan: plan,
        planPreparedAt: new Date(),
      },
    });
    ids.push(iv.id);
  }

  // Idle memory of the portals, then the peak under load.
  const idle = await Promise.all(portals.map((p) => rssMb(p.pid)));
  let peakSum = idle.reduce((a, b) => a + b, 0);
  const sampler = setInterval(() => {
    void Promise.all(portals.map((p) => rssMb(p.pid))).then((mb) => {
      peakSum = Math.max(
        peakSum,
        mb.reduce((a, b) => a + b, 0),
      );
    });
  }, 250);
  const cpuBefore = await Promise.all(portals.map((p) => cpuMs(p.pid)));
  const redisStats = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const redisCommands = async () =>
    Number(/total_commands_processed:(\d+)/.exec(await redisStats.info('stats'))?.[1] ?? Number.NaN);
  const redisBefore = await redisCommands();

  const added: number[] = [];
  const turnEnd: number[] = [];
  const ackMs: number[] = [];
  const errors: string[] = [];
  let reconnects = 0;
  let turns = 0;
  const began = performance.now();

  const candidate = (c: number) =>
    new Promise<void>((resolve) => {
      let portal = c % PORTALS;
      let done = false;
      let dropped = false;
      let attempts = 0;
      /** The answer being streamed: its frames (kept until acknowledged) and send times. */
      let answer: {
        seq: number;
        frames: Uint8Array[];
        sentAt: number[];
        acked: number;
        voiced: number;
        timer: NodeJS.Timeout | undefined;
        ended: boolean;
        decidedAt: number;
      } | null = null;
      let waitingFirstAudio: { seq: number; from: number } | null = null;
      let ws: WebSocket;
      let n = 0;
      const send = (m: Record<string, unknown>) =>
        ws.readyState === ws.OPEN && ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id: `m${++n}`, ...m }));

      const streamNext = () => {
        const a = answer;
        if (!a || a.ended) return;
        const i = a.frames.length;
        if (i > ANSWER_CHUNKS + 80) return; // 8 s of silence: the server never ended it
        const voiced = i < ANSWER_CHUNKS;
        const frame = encodeFrame({
          kind: FRAME_AUDIO,
          flags: voiced ? FLAG_VOICED : 0,
          seq: a.seq,
          index: i,
          ms: (i + 1) * 100,
          payload: chunk(c, a.seq, voiced),
        });
        a.frames.push(frame);
        a.sentAt.push(performance.now());
        if (voiced) a.voiced = i + 1;
        if (ws.readyState === ws.OPEN) ws.send(frame);
        if (!dropped && a.seq === 1 && i === DROP_AFTER) {
          // The network drops mid-answer: reconnect (to the next process) and resend.
          dropped = true;
          clearTimeout(a.timer);
          ws.terminate();
          return;
        }
        a.timer = setTimeout(streamNext, 100);
      };

      const connect = () => {
        ws = new WebSocket(`${bases[portal]}/interview/ws`);
        ws.on('open', () => send({ type: 'hello', key: keys[c] }));
        ws.on('message', (raw, isBinary) => {
          if (isBinary) {
            const buf = raw as Buffer;
            const f = decodeFrame(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
            if (f?.kind === FRAME_SPEECH && waitingFirstAudio && f.seq === waitingFirstAudio.seq) {
              // If the decision's chat call answered after the pause was complete, the wait for it is model time.
              const chat = chatAt.get(key(c, waitingFirstAudio.seq - 1));
              const chatPerf = chat === undefined ? 0 : performance.now() - (Date.now() - chat);
              added.push(performance.now() - Math.max(waitingFirstAudio.from, chatPerf));
              waitingFirstAudio = null;
            }
            return;
          }
          const m = JSON.parse(raw.toString());
          if (process.env.BENCH_TRACE && c === 0) process.stderr.write(`${raw.toString().slice(0, 160)}\n`);
          switch (m.type) {
            case 'state':
              if (m.state.status === 'not_started') send({ type: 'start', consent: true, mode: 'voice' });
              else if (m.state.status === 'completed') {
                done = true;
                ws.close();
              } else if (m.state.current && answer && answer.seq === m.state.current.seq) {
                // Resume the answer: the server says how much it holds.
                send({ type: 'audio_start', seq: answer.seq, mime: 'audio/pcm;rate=16000' });
                const from = (m.resume?.upTo ?? -1) + 1;
                for (let i = from; i < answer.frames.length; i++) ws.send(answer.frames[i] as Uint8Array);
                answer.timer = setTimeout(streamNext, 100);
              } else if (m.state.current) {
                startAnswer(m.state.current.seq);
              }
              return;
            case 'question':
              // The speech is not played here: answer once it has been sent (speech_end) or at once.
              startAnswerSoon(m.turn.seq);
              return;
            case 'speech_end':
            case 'speech_fallback':
              if (pendingStart !== null && m.seq === pendingStart) {
                const s = pendingStart;
                pendingStart = null;
                startAnswer(s);
              }
              return;
            case 'audio_ack': {
              const a = answer;
              if (!a || a.seq !== m.seq) return;
              for (let i = a.acked + 1; i <= m.upTo && i < a.sentAt.length; i++) {
                ackMs.push(performance.now() - (a.sentAt[i] as number));
              }
              a.acked = Math.max(a.acked, m.upTo);
              return;
            }
            case 'turn_end': {
              const a = answer;
              if (!a || a.seq !== m.seq) return;
              a.ended = true;
              clearTimeout(a.timer);
              // The server could decide once the pause was complete and the tail transcribed.
              const pauseFrame = a.sentAt[a.voiced + 9] ?? performance.now();
              const stt = sttAt.get(key(c, a.seq));
              const couldDecide = Math.max(
                pauseFrame,
                stt === undefined ? 0 : stt - Date.now() + performance.now(),
              );
              turnEnd.push(performance.now() - couldDecide);
              a.decidedAt = couldDecide;
              waitingFirstAudio = { seq: a.seq + 1, from: couldDecide };
              turns += 1;
              return;
            }
            case 'completed':
              done = true;
              ws.close();
              return;
            case 'error':
              errors.push(`${m.code}: ${m.message}`);
              return;
          }
        });
        ws.on('error', () => undefined);
        ws.on('close', () => {
          clearTimeout(answer?.timer);
          if (done || attempts >= 8) return resolve();
          attempts += 1;
          reconnects += 1;
          portal = (portal + 1) % PORTALS;
          setTimeout(connect, 100);
        });
      };
      let pendingStart: number | null = null;
      const startAnswerSoon = (seq: number) => {
        pendingStart = seq;
      };
      const startAnswer = (seq: number) => {
        if (answer && answer.seq >= seq) return;
        // The chat call that decided the previous turn counts as model time, not the portal's.
        if (waitingFirstAudio) waitingFirstAudio = null;
        answer = {
          seq,
          frames: [],
          sentAt: [],
          acked: -1,
          voiced: 0,
          timer: undefined,
          ended: false,
          decidedAt: 0,
        };
        send({ type: 'audio_start', seq, mime: 'audio/pcm;rate=16000' });
        answer.timer = setTimeout(streamNext, 100);
      };
      setTimeout(connect, (RAMP_MS * c) / N);
    });

  let finished = 0;
  const progress = setInterval(() => {
    if (process.env.BENCH_VERBOSE) {
      process.stderr.write(
        `interview: ${finished}/${N} done, ${turns} turns, ${reconnects} reconnects, ${errors.length} errors ${errors.slice(-2).join(' | ')}\n`,
      );
    }
  }, 5000);
  await Promise.all(
    Array.from({ length: N }, (_, c) =>
      candidate(c).then(() => {
        finished += 1;
      }),
    ),
  );
  clearInterval(progress);
  const wallMs = performance.now() - began;
  clearInterval(sampler);
  const cpuAfter = await Promise.all(portals.map((p) => cpuMs(p.pid)));
  const portalCpu = cpuAfter.reduce((s, v, i) => s + v - (cpuBefore[i] ?? 0), 0);
  // Every Redis command in the run (the portals are the only clients meanwhile), minus this INFO.
  const redisDuring = (await redisCommands()) - redisBefore - 1;
  redisStats.disconnect();

  const completed = await prisma.interview.count({ where: { status: 'completed' } });
  const answered = await prisma.interviewTurn.findMany({
    where: { answeredAt: { not: null } },
    select: { seq: true, answerText: true, interview: { select: { id: true } } },
  });
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const whole = answered.filter(
    (t) => t.answerText === `Candidate ${indexOf.get(t.interview.id)} answer ${t.seq} is complete.`,
  ).length;
  const idleSum = idle.reduce((a, b) => a + b, 0);
  await Promise.all(portals.map((p) => p.stop()));
  let queries = 0;
  for (const f of statsFiles) {
    const stats = JSON.parse(await readFile(f, 'utf8').catch(() => '{}')) as {
      queries?: number;
      atStart?: number;
    };
    queries += (stats.queries ?? Number.NaN) - (stats.atStart ?? 0);
    await rm(f, { force: true });
  }
  console.log(
    JSON.stringify({
      bench: 'interview',
      mode: 'voice-streaming',
      candidates: N,
      portals: PORTALS,
      questions: QUESTIONS,
      answerMs: ANSWER_CHUNKS * 100,
      modelLatencyMs: STT_MS + CHAT_MS,
      sttMs: STT_MS,
      chatMs: CHAT_MS,
      ttsMs: TTS_MS,
      turns,
      answersStored: answered.length,
      answersWhole: whole,
      completed,
      reconnects,
      errors: errors.length,
      errorKinds: Object.fromEntries(
        [...new Set(errors)].slice(0, 5).map((e) => [e, errors.filter((x) => x === e).length]),
      ),
      addedP50Ms: Math.round(percentile(added, 0.5)),
      addedP95Ms: Math.round(percentile(added, 0.95)),
      turnP95Ms: Math.round(percentile(turnEnd, 0.95)),
      turnEndP50Ms: Math.round(percentile(turnEnd, 0.5)),
      turnEndP95Ms: Math.round(percentile(turnEnd, 0.95)),
      ackP50Ms: Math.round(percentile(ackMs, 0.5)),
      ackP95Ms: Math.round(percentile(ackMs, 0.95)),
      peakRssMb: Math.round(peakSum),
      idleRssMb: Math.round(idleSum),
      memPerCandidateKb: Math.round(((peakSum - idleSum) * 1024) / N),
      portalCpuMsPerTurn: Math.round((portalCpu / Math.max(1, turns)) * 10) / 10,
      sqlPerTurn: Math.round((queries / Math.max(1, turns)) * 10) / 10,
      redisCommandsPerTurn: Math.round((redisDuring / Math.max(1, turns)) * 10) / 10,
      server: 'process',
      wallMs: Math.round(wallMs),
    }),
  );

  await openai.close();
  await prisma.$disconnect();
  await db.drop();
  await cleanPrefix(prefix);
}

/** Child side: one portal process, printing `ready <url>`. */
async function serve() {
  const env = process.env;
  const config = testConfig({ OPENAI_BASE_URL: env.BENCH_OPENAI_BASE_URL ?? '', LOG_LEVEL: 'silent' });
  const prefix = env.BENCH_QUEUE_PREFIX ?? '';
  // Bench instrument: counts the SQL statements this portal sends (queries per turn in the report).
  let queries = 0;
  /** BENCH_SQL_LOG=<file>: each statement's text and how often it ran, written at exit. */
  const sqlTexts = new Map<string, number>();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    queries += 1;
    if (env.BENCH_SQL_LOG) {
      const q = args[0] as string | { text?: string };
      const text = (typeof q === 'string' ? q : (q?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 160);
      sqlTexts.set(text, (sqlTexts.get(text) ?? 0) + 1);
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const prisma = createPrisma(env.BENCH_DATABASE_URL ?? '', { maxConnections: 10 });
  const producer = createRedis(config.redis.url, 'producer');
  const queues = new JobQueues(producer, prefix);
  const app = await buildPortal({
    config: { ...config, redis: { ...config.redis, prefix } },
    prisma,
    queues,
    slack: new WebClient('xoxb-bench', { slackApiUrl: 'http://127.0.0.1:9/api/' }),
    ai: createAi(config.ai),
    logger: createLogger('silent'),
    metrics: createMetrics(),
    now: () => new Date(),
  });
  process.stdout.write(`ready ${await app.listen({ host: '127.0.0.1', port: 0 })}\n`);
  const atStart = queries;
  process.on('SIGTERM', () => {
    void (async () => {
      if (env.BENCH_STATS_FILE) await writeFile(env.BENCH_STATS_FILE, JSON.stringify({ queries, atStart }));
      if (env.BENCH_SQL_LOG) {
        const lines = [...sqlTexts].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n}\t${t}`);
        await writeFile(`${env.BENCH_SQL_LOG}.${process.pid}`, `${lines.join('\n')}\n`);
      }
      await app.close();
      await queues.close();
      producer.disconnect();
      await prisma.$disconnect();
      process.exit(0);
    })();
  });
}

(values.serve ? serve() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
