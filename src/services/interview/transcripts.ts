/**
 * The server's own transcript of voice answers, piece by piece. Each
 * pause-delimited piece gets an AnswerPiece row; a piece whose transcription
 * fails (one attempt and one retry, each within VOICE_STT_DEADLINE_MS) keeps a
 * copy of its audio in that row and is retried in the background by any portal
 * process (a lease in `nextAttemptAt`, so a crashed process's work is picked up)
 * and, at the latest, by the evaluation job before scoring (settleTranscripts).
 * When every piece of an answered turn has text, the turn's answer is rebuilt
 * from them and its audio is deleted.
 */
import { sttOf, type TAi } from '../../infra/ai/client.js';
import { transcribe } from '../../infra/ai/speech.js';
import { loggableMessage } from '../../infra/logger.js';
import type { TServiceDeps } from '../deps.js';
import type { AudioStore } from './audio-store.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'ai' | 'config' | 'logger' | 'now'>;

/** Background retries: first after this, then doubling, at most every 10 minutes. */
const RETRY_BASE_MS = 15_000;
const RETRY_MAX_MS = 10 * 60_000;
/** A claimed retry is someone else's to take again after this (the claimer crashed). */
const LEASE_MS = 60_000;

/** One attempt and one retry, each within the deadline. Throws the last error. */
export async function transcribeWithRetry(
  ai: TAi,
  audio: Uint8Array,
  mime: string,
  opts: { deadlineMs: number; prompt?: string; onRetry?: (err: unknown) => void },
): Promise<string> {
  let last: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await transcribe(ai, audio, mime, {
        timeoutMs: opts.deadlineMs,
        ...(opts.prompt ? { prompt: opts.prompt } : {}),
      });
    } catch (err) {
      last = err;
      if (attempt === 0) opts.onRetry?.(err);
    }
  }
  throw last;
}

export type TPieceRow = {
  piece: number;
  fromChunk: number;
  toChunk: number;
  status: string;
  text: string | null;
};

/**
 * The answer's text from its pieces, in order. A piece that starts at chunk 0
 * after others is a compressed format's "whole answer so far" and replaces them.
 */
export function assembleAnswer(pieces: readonly TPieceRow[]): { text: string; pending: boolean } {
  let chain: TPieceRow[] = [];
  for (const p of [...pieces].sort((a, b) => a.piece - b.piece)) {
    if (p.fromChunk === 0) chain = [p];
    else chain.push(p);
  }
  return {
    text: chain
      .map((p) => p.text?.trim() ?? '')
      .filter((t) => t !== '')
      .join(' '),
    pending: chain.some((p) => p.status !== 'done'),
  };
}

export async function savePieceStarted(
  deps: Pick<TDeps, 'prisma'>,
  p: {
    interviewId: string;
    seq: number;
    piece: number;
    fromChunk: number;
    toChunk: number;
    endMs: number;
    mime: string;
  },
) {
  // One INSERT … ON CONFLICT DO NOTHING (an upsert with an empty update is a read and a write in a
  // transaction): a reconnect that re-transcribes the piece keeps the row it finds.
  await deps.prisma.answerPiece.createMany({
    data: [{ ...p, status: 'transcribing' }],
    skipDuplicates: true,
  });
}

export async function savePieceText(
  deps: Pick<TDeps, 'prisma'>,
  key: { interviewId: string; seq: number; piece: number },
  text: string,
) {
  await deps.prisma.answerPiece.updateMany({
    where: key,
    data: { status: 'done', text, audio: null, lastError: null, nextAttemptAt: null },
  });
}

/** The piece's transcription failed: keep its audio (as the file sent to STT) for the background retry. */
export async function savePiecePending(
  deps: Pick<TDeps, 'prisma' | 'now'>,
  key: { interviewId: string; seq: number; piece: number },
  file: { audio: Uint8Array; mime: string },
  err: unknown,
) {
  await deps.prisma.answerPiece.update({
    where: { interviewId_seq_piece: key },
    data: {
      status: 'pending',
      audio: Buffer.from(file.audio),
      mime: file.mime,
      attempts: { increment: 2 },
      lastError: loggableMessage(err).slice(0, 300),
      nextAttemptAt: new Date(deps.now().getTime() + RETRY_BASE_MS),
    },
  });
}

/**
 * Rebuilds an answered voice turn's text from its pieces; when nothing is
 * pending any more, clears `transcriptPending` and deletes the turn's audio.
 * Returns the text and whether part of it is still pending, or null for a turn
 * that is not answered by voice.
 */
export async function refreshTurnAnswer(
  deps: Pick<TDeps, 'prisma' | 'logger'>,
  audio: AudioStore | null,
  interviewId: string,
  seq: number,
): Promise<{ text: string; pending: boolean } | null> {
  const turn = await deps.prisma.interviewTurn.findUnique({
    where: { interviewId_seq: { interviewId, seq } },
    select: { answeredAt: true, answerMode: true },
  });
  if (!turn?.answeredAt || turn.answerMode !== 'voice') return null;
  const pieces = await deps.prisma.answerPiece.findMany({
    where: { interviewId, seq },
    select: { piece: true, fromChunk: true, toChunk: true, status: true, text: true },
  });
  const answer = assembleAnswer(pieces);
  await deps.prisma.interviewTurn.update({
    where: { interviewId_seq: { interviewId, seq } },
    data: { answerText: answer.text, transcriptPending: answer.pending },
  });
  if (!answer.pending && audio) {
    await audio
      .drop(interviewId, seq)
      .catch((err: Error) =>
        deps.logger.warn({ interviewId, seq, err: { message: err.message } }, 'answer audio not deleted yet'),
      );
  }
  return answer;
}

/** The stored text of an answer, and whether part of it is still being transcribed (null: not answered). */
export async function readTurnAnswer(
  deps: Pick<TDeps, 'prisma'>,
  interviewId: string,
  seq: number,
): Promise<{ text: string; pending: boolean } | null> {
  const turn = await deps.prisma.interviewTurn.findUnique({
    where: { interviewId_seq: { interviewId, seq } },
    select: { answeredAt: true, answerText: true, transcriptPending: true },
  });
  if (!turn?.answeredAt) return null;
  return { text: turn.answerText ?? '', pending: turn.transcriptPending };
}

/** Tries one pending piece now (claimed with a lease, so two processes never both do it). */
async function retryPiece(
  deps: TDeps,
  audio: AudioStore | null,
  id: string,
  opts: { force?: boolean } = {},
): Promise<'done' | 'failed' | 'skipped'> {
  const now = deps.now();
  const claimed = await deps.prisma.answerPiece.updateMany({
    where: {
      id,
      status: 'pending',
      ...(opts.force ? {} : { OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] }),
    },
    data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS) },
  });
  if (claimed.count !== 1) return 'skipped';
  const row = await deps.prisma.answerPiece.findUniqueOrThrow({ where: { id } });
  const ai = deps.ai;
  if (!ai || !sttOf(ai) || !row.audio) return 'failed';
  try {
    const text = await transcribeWithRetry(ai, row.audio, row.mime, {
      deadlineMs: deps.config.voice.sttDeadlineMs,
    });
    await savePieceText(deps, { interviewId: row.interviewId, seq: row.seq, piece: row.piece }, text);
    await refreshTurnAnswer(deps, audio, row.interviewId, row.seq);
    deps.logger.info({ interviewId: row.interviewId, seq: row.seq }, 'pending transcription completed');
    // The candidate's room (on whichever portal process holds it) shows the whole answer now.
    await audio
      ?.announceAnswer(row.interviewId, row.seq)
      .catch((err: Error) =>
        deps.logger.warn(
          { interviewId: row.interviewId, err: { message: err.message } },
          'answer not announced',
        ),
      );
    return 'done';
  } catch (err) {
    const backoff = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(10, row.attempts / 2));
    await deps.prisma.answerPiece.update({
      where: { id },
      data: {
        attempts: { increment: 2 },
        lastError: loggableMessage(err).slice(0, 300),
        nextAttemptAt: new Date(deps.now().getTime() + backoff),
      },
    });
    deps.logger.warn(
      { interviewId: row.interviewId, seq: row.seq, err: { message: loggableMessage(err) } },
      'pending transcription failed again; retrying later',
    );
    return 'failed';
  }
}

/** One pass of the background retry: pieces that are due, a few at a time. Returns how many completed. */
export async function retryPendingTranscripts(
  deps: TDeps,
  audio: AudioStore | null,
  opts: { limit?: number; interviewId?: string } = {},
): Promise<number> {
  const due = await deps.prisma.answerPiece.findMany({
    where: {
      status: 'pending',
      ...(opts.interviewId ? { interviewId: opts.interviewId } : {}),
      OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: deps.now() } }],
    },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: opts.limit ?? 5,
  });
  let done = 0;
  for (const { id } of due) if ((await retryPiece(deps, audio, id)) === 'done') done += 1;
  return done;
}

/**
 * For the evaluation: transcribes every pending piece of the interview now
 * (whatever its schedule) and returns how many are still pending. The caller
 * scores only at 0 (a retried job tries again later).
 */
export async function settleTranscripts(deps: TDeps, interviewId: string): Promise<number> {
  const pending = await deps.prisma.answerPiece.findMany({
    where: { interviewId, status: { in: ['pending', 'transcribing'] } },
    select: { id: true, status: true, updatedAt: true, seq: true },
  });
  for (const p of pending) {
    if (p.status === 'transcribing') {
      // A piece left mid-transcription by a process that stopped: make it a pending one.
      if (deps.now().getTime() - p.updatedAt.getTime() > LEASE_MS) {
        await deps.prisma.answerPiece.updateMany({
          where: { id: p.id, status: 'transcribing', audio: { not: null } },
          data: { status: 'pending' },
        });
      }
      continue;
    }
    await retryPiece(deps, null, p.id, { force: true });
  }
  return deps.prisma.answerPiece.count({
    where: { interviewId, status: { in: ['pending', 'transcribing'] } },
  });
}
