/**
 * voice-turn: how long a candidate waits, in a real browser, between finishing
 * an answer and hearing the interviewer again.
 *
 * Chromium with real speech (espeak-ng) on its fake microphone, looping one
 * spoken answer and a silence; the real portal in its own process
 * (`startPanelist` with the portal role); the OpenAI-compatible test model
 * server at fixed latencies: transcription 300 ms a request; chat 350 ms to the
 * first token then 40 tokens/s (streamed); speech 250 ms to the first byte then
 * streamed at 4× real time. The chat alternates a follow-up and "next", so both
 * paths are measured. Each run is one interview of at least `--turns` answers.
 *
 * Figures, per answer, from the page's own performance marks (room.ts):
 * - answer end → first audio played: `turn_end` received → the next question's
 *   first audio frame playing (the target: p50 ≤ 800 ms, p95 ≤ 1,200 ms);
 * - end of speech → first audio played: the last chunk the room heard voiced →
 *   the same (the default turn-taking's patience included; target p50 ≤ 1.5 s);
 * - each step's share, from the server's per-turn marks (InterviewTurn.latencyMarks).
 * Baseline, same run, same model server: the sequential floor, the old design's
 * pipeline with nothing overlapped: the whole answer transcribed, then the whole
 * chat reply, then the whole speech, one after another.
 *
 *   npx tsx bench/voice-turn.ts [--runs 3] [--turns 8]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { loadConfig } from '../src/config.js';
import { generateSessionKey, hashSessionKey } from '../src/domain/session-key.js';
import { createPrisma } from '../src/infra/db/client.js';
import { createLogger } from '../src/infra/logger.js';
import { startPanelist } from '../src/start.js';
import { launchBrowser } from '../tests/helpers/browser.js';
import { startOpenAiServer } from '../tests/helpers/openai-server.js';
import { cleanPrefix, testPrefix } from '../tests/helpers/redis.js';
import { micTrack, phraseTranscriber, readWav, wavBytes } from '../tests/helpers/speech-audio.js';
import {
  createBenchDb,
  isMain,
  median,
  panelistEnv,
  percentile,
  round,
  startServer,
  summarize,
  writeRow,
} from './harness.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: 'string', default: '3' },
    turns: { type: 'string', default: '8' },
    serve: { type: 'boolean', default: false },
  },
});

const LATENCY = { transcription: 300, chat: 350, speech: 250 } as const;
const STREAMING = {
  chatTokensPerSecond: 40,
  // About 15 characters of text per second of speech, sent at 4× real time.
  speechSecondsPerChar: 1 / 15,
  speechRealtimeFactor: 4,
};
const ANSWER = 'I led the migration of our billing service to a queue based design.';
const FOLLOW_UP = 'What was your own part in that migration, and what did you learn from it?';
/** Silence after each spoken answer before the microphone's track loops: room for the whole turn. */
const GAP_MS = 9000;
const PLAN = Array.from({ length: 8 }, (_, i) => ({
  text: `Question ${i + 1}: tell me about a piece of work you are proud of.`,
  competency: null,
}));

type TMark = { name: string; startTime: number; detail: Record<string, number | string | null> };
type TTurnFigure = {
  seq: number;
  path: 'follow_up' | 'next';
  answerEndToAudioMs: number;
  speechEndToAudioMs: number | null;
  marks: Record<string, number> | null;
};

/** Child side: the portal alone, in production configuration, printing `ready <url>`. */
async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const running = await startPanelist(config, ['portal'], createLogger(config.logLevel));
  process.stdout.write(`ready ${running.url}\n`);
  process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
}

async function oneRun(turns: number) {
  const track = micTrack([{ say: ANSWER }, { silenceMs: GAP_MS }]);
  const answerWav = readFileSync(track.path);
  let chats = 0;
  const model = await startOpenAiServer({
    routeLatencyMs: LATENCY,
    streaming: STREAMING,
    transcriptionHandler: phraseTranscriber(track.phrases),
    // Follow-up, next, follow-up, next…: both paths, half the turns each.
    chatHandler: () => {
      chats += 1;
      return chats % 2 === 1
        ? JSON.stringify({ action: 'follow_up', question: FOLLOW_UP })
        : '{"action":"next"}';
    },
  });
  const db = await createBenchDb();
  const prefix = testPrefix();
  const prisma = createPrisma(db.url, { maxConnections: 4 });
  const portal = await startServer(
    'bench/voice-turn.ts',
    ['--serve'],
    panelistEnv(
      { databaseUrl: db.url, prefix, slackApiUrl: 'http://127.0.0.1:9/api/' },
      { LOG_LEVEL: 'warn', PORT: '0', OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'sk-bench' },
    ),
    { readyPattern: /^ready (\S+)$/m },
  );
  const browser = await launchBrowser({ fakeAudioFile: track.path });
  try {
    const key = generateSessionKey();
    const start = new Date(Date.now() - 60_000);
    const role = await prisma.role.create({
      data: {
        title: 'Bench Engineer',
        description: 'Builds things.',
        competencies: [],
        questions: [],
        questionCount: PLAN.length,
      },
    });
    const slot = await prisma.slot.create({
      data: { startsAt: start, durationMinutes: 60, capacity: 1, seatsTaken: 1, timeZone: 'UTC' },
    });
    const candidate = await prisma.candidate.create({
      data: { name: 'Bench Candidate', email: `bench-${prefix}@example.test`, timeZone: 'UTC' },
    });
    const interview = await prisma.interview.create({
      data: {
        candidateId: candidate.id,
        roleId: role.id,
        slotId: slot.id,
        scheduledStart: start,
        scheduledEnd: new Date(start.getTime() + 60 * 60_000),
        sessionKeyHash: hashSessionKey(key),
        bookingRequestId: `bench-${prefix}`,
        recruiterSlackUser: 'U_BENCH',
        slackChannelId: 'C_BENCH',
        questionPlan: PLAN,
        planPreparedAt: new Date(),
      },
    });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: new URL(portal.url).origin });
    const page = await context.newPage();
    await page.goto(`${portal.url}/interview?session_key=${key}`);
    await page.getByRole('button', { name: 'Check camera and microphone' }).click();
    await page.waitForFunction(
      () => document.getElementById('mic-status')?.textContent?.includes('we can hear'),
      null,
      {
        timeout: 20_000,
      },
    );
    await page.getByLabel(/I understand and agree/).check();
    await page.getByRole('button', { name: 'Start interview' }).click();
    const marks = async () =>
      page.evaluate(() =>
        performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith('panelist:'))
          .map((m) => ({ name: m.name, startTime: m.startTime, detail: (m as PerformanceMark).detail })),
      ) as Promise<TMark[]>;
    const deadline = Date.now() + turns * (GAP_MS + 8000) + 30_000;
    for (;;) {
      const got = (await marks()).filter((m) => m.name === 'panelist:first-audio').length;
      if (got >= turns) break;
      if (Date.now() > deadline) throw new Error(`only ${got} of ${turns} turns within the time allowed`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const all = await marks();
    const rows = await prisma.interviewTurn.findMany({
      where: { interviewId: interview.id },
      orderBy: { seq: 'asc' },
    });
    const figures: TTurnFigure[] = all
      .filter((m) => m.name === 'panelist:first-audio')
      .slice(0, turns)
      .map((m) => {
        const answered = Number(m.detail.answered);
        const end = all.find((e) => e.name === 'panelist:turn-end' && Number(e.detail.seq) === answered);
        const lastVoicedAt = end?.detail.lastVoicedAt;
        const next = rows.find((r) => r.seq === Number(m.detail.seq));
        const turn = rows.find((r) => r.seq === answered);
        return {
          seq: answered,
          path: next?.isFollowUp ? 'follow_up' : 'next',
          answerEndToAudioMs: Number(m.detail.sinceTurnEndMs),
          speechEndToAudioMs: typeof lastVoicedAt === 'number' ? m.startTime - lastVoicedAt : null,
          marks: (turn?.latencyMarks as Record<string, number> | null) ?? null,
        };
      });
    await context.close();

    // The sequential floor, same model server: whole transcription, whole chat, whole speech.
    const client = new OpenAI({ baseURL: model.baseURL, apiKey: 'sk-bench', maxRetries: 0 });
    const pcm = readWav(answerWav);
    const floor: number[] = [];
    for (let i = 0; i < turns; i++) {
      const t0 = performance.now();
      const file = await toFile(wavBytes(pcm), 'answer.wav', { type: 'audio/wav' });
      const { text } = await client.audio.transcriptions.create({ file, model: 'whisper-1' });
      const chat = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: text }],
        response_format: { type: 'json_object' },
      });
      const decision = JSON.parse(chat.choices[0]?.message?.content ?? '{}') as { question?: string };
      const speech = await client.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input: decision.question ?? PLAN[0]!.text,
        response_format: 'mp3',
      });
      await speech.arrayBuffer();
      floor.push(performance.now() - t0);
    }
    return { figures, floor };
  } finally {
    await browser.close();
    await portal.stop();
    await prisma.$disconnect();
    await model.close();
    await db.drop();
    await cleanPrefix(prefix);
  }
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(values.runs));
  const turns = Math.max(2, Number(values.turns));
  const perRun: Array<{ p50: number; p95: number; floor: number; figures: TTurnFigure[] }> = [];
  for (let r = 0; r < runs; r++) {
    const { figures, floor } = await oneRun(turns);
    const s = summarize(figures.map((f) => f.answerEndToAudioMs));
    perRun.push({ p50: s.p50, p95: s.p95, floor: median(floor), figures });
    process.stderr.write(
      `voice-turn run ${r + 1}: answer end → first audio p50 ${round(s.p50)} ms, p95 ${round(s.p95)} ms; sequential floor ${round(median(floor))} ms\n`,
    );
  }
  const all = perRun.flatMap((r) => r.figures);
  const p50 = median(perRun.map((r) => r.p50));
  const p95 = median(perRun.map((r) => r.p95));
  const floor = median(perRun.map((r) => r.floor));
  const speechEnd = all.map((f) => f.speechEndToAudioMs).filter((v): v is number => v !== null);
  const speechEndP50 = percentile(speechEnd, 0.5);
  const byPath = (path: 'follow_up' | 'next') => {
    const xs = all.filter((f) => f.path === path).map((f) => f.answerEndToAudioMs);
    return xs.length
      ? { n: xs.length, p50: round(percentile(xs, 0.5)), p95: round(percentile(xs, 0.95)) }
      : null;
  };
  // Each step's share of answer end → first audio played (server marks, ms from the answer's end).
  const steps = ['transcriptReady', 'decisionReady', 'firstAudioSent', 'firstAudioPlayed'] as const;
  const stepP50: Record<string, number> = {};
  let previous = 0;
  for (const step of steps) {
    const xs = all.map((f) => f.marks?.[step]).filter((v): v is number => typeof v === 'number');
    if (xs.length === 0) continue;
    const at = Math.max(previous, percentile(xs, 0.5));
    stepP50[step] = round(at - previous);
    previous = at;
  }
  const endOfSpeech = all.map((f) => f.marks?.endOfSpeech).filter((v): v is number => typeof v === 'number');
  const ratio = p50 / floor;
  await writeRow({
    scenario: 'voice-turn',
    figure: 'answer end → first audio played, p50 (ms), real browser, streamed turn',
    value: round(p50),
    unit: 'ms',
    baseline: {
      label: 'sequential floor: whole transcription, then whole chat, then whole speech',
      value: round(floor),
    },
    ratio: round(ratio),
    better: 'lower',
    target:
      'p50 ≤ 800 ms, p95 ≤ 1,200 ms; ≤ 0.6× the sequential floor; end of speech → first audio p50 ≤ 1.5 s',
    checks: [
      { label: `p50 ${round(p50)} ms ≤ 800 ms`, ok: p50 <= 800 },
      { label: `p95 ${round(p95)} ms ≤ 1,200 ms`, ok: p95 <= 1200 },
      { label: `ratio ${round(ratio)} ≤ 0.6× the sequential floor (${round(floor)} ms)`, ok: ratio <= 0.6 },
      {
        label: `end of speech → first audio p50 ${round(speechEndP50)} ms ≤ 1,500 ms (default turn-taking)`,
        ok: speechEndP50 <= 1500,
      },
      {
        label: 'both paths measured (follow-up and next question)',
        ok: !!byPath('follow_up') && !!byPath('next'),
      },
    ],
    runs,
    details: {
      turnsPerRun: turns,
      p95Ms: round(p95),
      perRun: perRun.map((r) => ({ p50: round(r.p50), p95: round(r.p95), floor: round(r.floor) })),
      followUp: byPath('follow_up'),
      nextQuestion: byPath('next'),
      speechEndToFirstAudioP50Ms: round(speechEndP50),
      endOfSpeechToAnswerEndP50Ms: endOfSpeech.length ? round(-percentile(endOfSpeech, 0.5)) : null,
      stepShareP50Ms: stepP50,
      modelLatencyMs: LATENCY,
      streaming: STREAMING,
    },
  });
}

if (isMain(import.meta.url)) {
  (values.serve ? serve() : main()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
