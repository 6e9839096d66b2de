/**
 * Per-turn latency of the live interview. Each voice turn stores its marks
 * (InterviewTurn.latencyMarks, ms from the answer's end) and the headline figure,
 * answer end → first audio of the next question (responseLatencyMs: the
 * browser's measurement when it sent one, else the server's first byte sent).
 */
import { Prisma } from '../../generated/prisma/client.js';
import type { TServiceDeps } from '../deps.js';

export type TLatencyMarks = {
  /** ≤ 0: when the last voiced audio arrived, before the answer ended. */
  endOfSpeech?: number;
  transcriptReady?: number;
  decisionReady?: number;
  firstAudioSent?: number;
  firstAudioPlayed?: number;
};

const STAGES = ['transcriptReady', 'decisionReady', 'firstAudioSent', 'firstAudioPlayed'] as const;
const STAGE_LABEL: Record<(typeof STAGES)[number], string> = {
  transcriptReady: 'transcript_ready',
  decisionReady: 'decision_ready',
  firstAudioSent: 'first_audio_sent',
  firstAudioPlayed: 'first_audio_played',
};

/**
 * Merges `marks` into turn `seq`'s stored marks, observes them in /metrics, and
 * sets responseLatencyMs (firstAudioPlayed wins over firstAudioSent).
 */
export async function recordLatencyMarks(
  deps: Pick<TServiceDeps, 'prisma' | 'metrics'>,
  interviewId: string,
  seq: number,
  marks: TLatencyMarks,
): Promise<void> {
  const rounded: Record<string, number> = {};
  for (const [k, v] of Object.entries(marks)) if (typeof v === 'number') rounded[k] = Math.round(v);
  // One statement on the live path: the merge and the headline are computed by PostgreSQL.
  const merged = Prisma.sql`(COALESCE("latencyMarks", '{}'::jsonb) || ${JSON.stringify(rounded)}::jsonb)`;
  // The headline: played, else sent, else what was there; never below 0 (GREATEST would turn NULL into 0).
  const headline = Prisma.sql`ROUND(COALESCE((${merged} ->> 'firstAudioPlayed')::numeric, (${merged} ->> 'firstAudioSent')::numeric))::int`;
  const updated = await deps.prisma.$executeRaw`
    UPDATE "InterviewTurn"
    SET "latencyMarks" = ${merged},
        "responseLatencyMs" = COALESCE(
          CASE WHEN ${headline} < 0 THEN 0 ELSE ${headline} END,
          "responseLatencyMs")
    WHERE "interviewId" = ${interviewId}::uuid AND "seq" = ${seq} AND "answeredAt" IS NOT NULL`;
  if (updated === 0) return;
  for (const stage of STAGES) {
    const v = marks[stage];
    if (v !== undefined)
      deps.metrics.voiceTurnStage.observe({ stage: STAGE_LABEL[stage] }, Math.max(0, v) / 1000);
  }
  if (marks.endOfSpeech !== undefined) {
    deps.metrics.voiceTurnStage.observe({ stage: 'end_of_speech' }, Math.max(0, -marks.endOfSpeech) / 1000);
  }
  if (marks.firstAudioPlayed !== undefined)
    deps.metrics.turnLatency.observe(Math.max(0, marks.firstAudioPlayed) / 1000);
}

/** Nearest-rank percentile of sorted values. */
function rank(xs: number[], p: number): number | null {
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))] ?? null;
}

/**
 * The interview's answer end → first audio of the next question, p50 and p95
 * over its turns (for the evaluation post's footer). null figures without data.
 */
export async function interviewLatencySummary(
  deps: Pick<TServiceDeps, 'prisma'>,
  interviewId: string,
): Promise<{ p50Ms: number | null; p95Ms: number | null; turns: number }> {
  const rows = await deps.prisma.interviewTurn.findMany({
    where: { interviewId, responseLatencyMs: { not: null } },
    select: { responseLatencyMs: true },
  });
  const xs = rows.map((r) => r.responseLatencyMs as number).sort((a, b) => a - b);
  return { p50Ms: rank(xs, 0.5), p95Ms: rank(xs, 0.95), turns: xs.length };
}

/** "Voice turn latency p50 0.7 s · p95 1.1 s (8 turns)", or null without data: the evaluation footer's line. */
export function formatLatencySummary(s: { p50Ms: number | null; p95Ms: number | null; turns: number }) {
  if (s.p50Ms === null || s.p95Ms === null || s.turns === 0) return null;
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `Interviewer response time p50 ${sec(s.p50Ms)} · p95 ${sec(s.p95Ms)} (${s.turns} turns)`;
}
