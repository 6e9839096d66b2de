/**
 * One voice answer as it streams in: stores and acknowledges the audio chunks,
 * cuts the audio into pause-delimited pieces and transcribes each while the
 * candidate goes on (live captions), and decides with the turn-taking rule
 * (src/domain/turn-taking.ts) when the answer has ended. The server's own
 * transcript is the answer: the browser never sends text for a voice answer.
 *
 * Everything another portal process needs to resume is outside this object:
 * chunks in Redis (AudioStore), pieces in PostgreSQL (AnswerPiece), so
 * `VoiceTurn.open` after a reconnect rebuilds the same state from them.
 */

import { decodeFrame, FLAG_VOICED, MAX_ANSWER_AUDIO_MS, type TFrame } from '../../domain/audio-frame.js';
import { decideTurn, looksFinished, MAX_PIECE_MS, PIECE_PAUSE_MS } from '../../domain/turn-taking.js';
import { sttOf } from '../../infra/ai/client.js';
import { loggableMessage } from '../../infra/logger.js';
import type { TServiceDeps } from '../deps.js';
import { type AudioStore, contiguousUpTo, joinBytes, pcmRate, wavFile } from './audio-store.js';
import {
  assembleAnswer,
  savePiecePending,
  savePieceStarted,
  savePieceText,
  transcribeWithRetry,
} from './transcripts.js';

export type TVoiceTurnDeps = Pick<TServiceDeps, 'prisma' | 'ai' | 'config' | 'logger' | 'now'> & {
  audio: AudioStore;
};

export type TTurnEndReason = 'pause' | 'done' | 'max_length';

export type TVoiceOutcome = {
  seq: number;
  reason: TTurnEndReason;
  text: string;
  /** Part of the audio is not text yet (kept and retried in the background). */
  pending: boolean;
  audioMs: number;
  /** Wall-clock ms (Date.now) of the last voiced chunk's arrival, the server's view of the end of speech. */
  endOfSpeechAt: number | null;
  /** When the turn was decided (turn_end sent). */
  answerEndAt: number;
  /** When the last piece's text arrived (may be before answerEndAt: the tail was transcribed during the pause). */
  transcriptReadyAt: number;
};

/** The messages a voice turn sends to the room (shapes from src/portal/protocol.ts). */
export type TVoiceMessage =
  | { type: 'audio_ack'; seq: number; upTo: number }
  | { type: 'caption'; seq: number; piece: number; text: string; final: boolean }
  | { type: 'turn_end'; seq: number; reason: TTurnEndReason; text: string }
  | { type: 'prompt'; seq: number; text: string }
  | { type: 'status'; phase: 'transcribing' | 'delayed'; message: string; sinceMs: number; seq: number };

export type TVoiceEvents = {
  send(msg: TVoiceMessage): void;
  /** The answer ended and its text is known (or pending): record it and reply. */
  onEnd(outcome: TVoiceOutcome): void;
  /** A pause after finished-looking words: the reply may be prepared on `text` (it may still go on). */
  onSpeculate(text: string): void;
  /** The candidate spoke again after onSpeculate: throw the guess away. */
  onResume(): void;
};

type TPiece = {
  piece: number;
  from: number;
  to: number;
  endMs: number;
  status: 'transcribing' | 'done' | 'pending';
  text: string | null;
  done: Promise<void>;
};

type TChunk = { index: number; voiced: boolean; endMs: number; payload: Uint8Array };

/**
 * Stored chunks are acknowledged in batches (one Redis pipeline per process and one ack per turn
 * per batch): at most this late. The browser keeps unacknowledged chunks, so a longer batch costs
 * only a little more resending after a reconnect; 500 ms halves the writes and acks of 250 ms
 * (bench/interview.ts, 1,000 candidates streaming).
 */
const FLUSH_MS = 500;
/** Leading silence kept in a PCM piece before the first word (older silence is not transcribed). */
const LEAD_SILENCE_MS = 500;

export class VoiceTurn {
  /** Every chunk index ≤ upTo is stored (what `audio_ack` says). */
  upTo = -1;
  ended = false;
  private readonly stored = new Set<number>();
  private readonly rate: number | null;
  /** Chunks received but not processed yet (out of order), and the open piece's payloads. */
  private readonly chunks = new Map<number, TChunk>();
  private processedUpTo = -1;
  private pieceFrom = 0;
  private pieceStartMs = 0;
  private pieceHasVoice = false;
  private readonly pieces: TPiece[] = [];
  private hasSpeech = false;
  private lastVoicedEndMs = 0;
  private lastEndMs = 0;
  private lastVoicedAt: number | null = null;
  private prompted = false;
  private speculatedOn: string | null = null;
  private toFlush: Array<{ index: number; frame: Uint8Array }> = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];
  private detached = false;
  /** This object has set the TTL of the turn's audio in Redis. */
  private hasExpiry = false;

  private constructor(
    private readonly deps: TVoiceTurnDeps,
    readonly interviewId: string,
    readonly seq: number,
    readonly mime: string,
    public pauseMs: number,
    private events: TVoiceEvents,
  ) {
    this.rate = pcmRate(mime);
  }

  /**
   * The turn's audio as stored so far (any process may have stored it): rebuilds
   * acknowledged chunks, pieces and the pause state, and re-transcribes pieces an
   * earlier process left unfinished.
   */
  static async open(
    deps: TVoiceTurnDeps,
    interviewId: string,
    seq: number,
    mime: string,
    pauseMs: number,
    events: TVoiceEvents,
  ): Promise<VoiceTurn> {
    const stored = await deps.audio.open(interviewId, seq, mime);
    const turn = new VoiceTurn(deps, interviewId, seq, stored.mime, pauseMs, events);
    const indexes = stored.indexes;
    if (indexes.length === 0) return turn;
    for (const i of indexes) turn.stored.add(i);
    turn.upTo = contiguousUpTo(turn.stored);
    const rows = await deps.prisma.answerPiece.findMany({
      where: { interviewId, seq },
      orderBy: { piece: 'asc' },
    });
    for (const r of rows) {
      const piece: TPiece = {
        piece: r.piece,
        from: r.fromChunk,
        to: r.toChunk,
        endMs: r.endMs,
        status: r.status === 'done' ? 'done' : r.status === 'pending' ? 'pending' : 'transcribing',
        text: r.text,
        done: Promise.resolve(),
      };
      turn.pieces.push(piece);
      turn.hasSpeech = true;
      turn.processedUpTo = Math.max(turn.processedUpTo, r.toChunk);
      turn.pieceFrom = Math.max(turn.pieceFrom, r.toChunk + 1);
      turn.pieceStartMs = Math.max(turn.pieceStartMs, r.endMs);
      turn.lastEndMs = Math.max(turn.lastEndMs, r.endMs);
      turn.lastVoicedEndMs = Math.max(turn.lastVoicedEndMs, r.endMs - PIECE_PAUSE_MS);
    }
    // Compressed formats need every chunk from 0 in memory (pieces are "the whole answer so far").
    const reloadFrom = turn.rate === null ? 0 : turn.pieceFrom;
    const frames = await deps.audio.load(interviewId, seq, reloadFrom, turn.upTo);
    for (const { frame } of frames) {
      const f = decodeFrame(frame);
      if (f) turn.keep(f, f.payload.slice());
    }
    // Pieces a stopped process was transcribing: transcribe them again from Redis.
    for (const p of turn.pieces) {
      if (p.status !== 'transcribing') continue;
      const audio = await turn.pieceFile(p.from, p.to, await deps.audio.load(interviewId, seq, p.from, p.to));
      p.done = turn.transcribePiece(p, audio);
    }
    turn.processReady(false);
    return turn;
  }

  /** This connection is gone (or replaced): stop timers and messages; stored data stays for the next one. */
  detach(): void {
    this.detached = true;
    clearTimeout(this.flushTimer);
    this.toFlush = [];
  }

  /** Another connection of the same candidate takes over this process's turn object. */
  attach(events: TVoiceEvents): void {
    this.detached = false;
    this.events = events;
  }

  private send(msg: TVoiceMessage) {
    if (!this.detached) this.events.send(msg);
  }

  /** A binary audio frame from the browser. */
  receive(frame: TFrame, raw: Uint8Array): void {
    if (frame.seq !== this.seq || this.ended) return;
    if (this.stored.has(frame.index)) {
      // Resent after a reconnect: already stored, tell the browser again.
      this.send({ type: 'audio_ack', seq: this.seq, upTo: this.upTo });
      return;
    }
    if (this.chunks.has(frame.index) && frame.index > this.processedUpTo) return;
    // One copy, shared by the Redis write and the piece: `raw` is a view into the socket's
    // read buffer, which a kept view would hold on to whole.
    const own = raw.slice();
    this.toFlush.push({ index: frame.index, frame: own });
    if (this.toFlush.length === 1) {
      // Every turn of the process flushes on the same clock, so their writes share one pipeline.
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS - (Date.now() % FLUSH_MS));
    }
    this.keep(frame, own.subarray(raw.byteLength - frame.payload.byteLength));
    this.processReady(true);
  }

  /** Keeps a chunk until its piece is cut; `payload` must be this turn's own bytes (not a shared buffer's view). */
  private keep(frame: TFrame, payload: Uint8Array) {
    if (frame.index <= this.processedUpTo) return;
    this.chunks.set(frame.index, {
      index: frame.index,
      voiced: (frame.flags & FLAG_VOICED) !== 0,
      endMs: frame.ms,
      payload,
    });
  }

  /** Stores the buffered frames in Redis, then acknowledges them. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    const batch = this.toFlush;
    this.toFlush = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.deps.audio.append(this.interviewId, this.seq, batch, { expire: !this.hasExpiry });
        this.hasExpiry = true;
      } catch (err) {
        // Not acknowledged: the browser keeps the chunks and sends them again after a reconnect.
        this.deps.logger.warn(
          { interviewId: this.interviewId, err: { message: loggableMessage(err) } },
          'audio chunks not stored',
        );
        this.send({
          type: 'status',
          phase: 'delayed',
          message:
            'Saving your audio is slow right now. Keep talking: your browser keeps it until it is saved.',
          sinceMs: 0,
          seq: this.seq,
        });
        return;
      }
      for (const f of batch) this.stored.add(f.index);
      this.upTo = contiguousUpTo(this.stored, this.upTo);
      this.send({ type: 'audio_ack', seq: this.seq, upTo: this.upTo });
      for (const w of this.waiters.splice(0)) w();
    });
    return this.flushing;
  }

  /** Processes chunks in index order as far as they are contiguous. */
  private processReady(live: boolean) {
    for (;;) {
      const chunk = this.chunks.get(this.processedUpTo + 1);
      if (!chunk) break;
      this.processedUpTo = chunk.index;
      this.lastEndMs = chunk.endMs;
      if (chunk.voiced) {
        this.hasSpeech = true;
        this.pieceHasVoice = true;
        this.lastVoicedEndMs = chunk.endMs;
        if (live) this.lastVoicedAt = Date.now();
        if (this.speculatedOn !== null) {
          this.speculatedOn = null;
          if (live) this.events.onResume();
        }
      }
      if (this.pieceHasVoice) {
        const paused = chunk.endMs - this.lastVoicedEndMs >= PIECE_PAUSE_MS;
        if (paused || chunk.endMs - this.pieceStartMs >= MAX_PIECE_MS) this.closePiece(chunk.index);
      } else if (this.rate !== null && chunk.endMs - this.pieceStartMs > LEAD_SILENCE_MS * 2) {
        // Silence before any word: only the last half second of it goes into the next piece.
        for (const [i, c] of this.chunks) {
          if (i <= this.processedUpTo && c.endMs < chunk.endMs - LEAD_SILENCE_MS) {
            this.chunks.delete(i);
            this.pieceFrom = i + 1;
            this.pieceStartMs = c.endMs;
          }
        }
      }
    }
    if (live) this.evaluate();
  }

  private async pieceFile(
    from: number,
    to: number,
    frames?: Array<{ index: number; frame: Uint8Array }>,
  ): Promise<{ audio: Uint8Array; mime: string }> {
    const parts: Uint8Array[] = [];
    const start = this.rate === null ? 0 : from;
    if (frames) {
      for (const { frame } of frames) {
        const f = decodeFrame(frame);
        if (f && f.index >= start && f.index <= to) parts.push(f.payload);
      }
    } else {
      for (let i = start; i <= to; i++) {
        const c = this.chunks.get(i);
        if (c) parts.push(c.payload);
      }
    }
    return this.rate === null
      ? { audio: joinBytes(parts), mime: this.mime.split(';')[0] ?? this.mime }
      : { audio: wavFile(parts, this.rate), mime: 'audio/wav' };
  }

  private closePiece(to: number) {
    const piece: TPiece = {
      piece: this.pieces.length,
      from: this.rate === null ? 0 : this.pieceFrom,
      to,
      endMs: this.chunks.get(to)?.endMs ?? this.lastEndMs,
      status: 'transcribing',
      text: null,
      done: Promise.resolve(),
    };
    this.pieces.push(piece);
    const file = this.pieceFile(piece.from, to);
    if (this.rate !== null) {
      for (let i = this.pieceFrom; i <= to; i++) this.chunks.delete(i);
    }
    this.pieceFrom = to + 1;
    this.pieceStartMs = piece.endMs;
    this.pieceHasVoice = false;
    piece.done = file.then((f) => this.transcribePiece(piece, f));
  }

  private async transcribePiece(piece: TPiece, file: { audio: Uint8Array; mime: string }): Promise<void> {
    const key = { interviewId: this.interviewId, seq: this.seq, piece: piece.piece };
    const ai = this.deps.ai;
    try {
      await savePieceStarted(this.deps, {
        ...key,
        fromChunk: piece.from,
        toChunk: piece.to,
        endMs: piece.endMs,
        mime: file.mime,
      });
      if (!ai || !sttOf(ai)) throw new Error('no speech-to-text server is configured');
      const prompt = assembleAnswer(this.pieceRows().filter((p) => p.piece < piece.piece)).text;
      const text = await transcribeWithRetry(ai, file.audio, file.mime, {
        deadlineMs: this.deps.config.voice.sttDeadlineMs,
        ...(prompt ? { prompt } : {}),
        onRetry: (err) =>
          this.deps.logger.warn(
            { interviewId: this.interviewId, seq: this.seq, err: { message: loggableMessage(err) } },
            'piece transcription failed once; retrying',
          ),
      });
      piece.text = text;
      piece.status = 'done';
      await savePieceText(this.deps, key, text);
      if (this.rate !== null) {
        this.send({ type: 'caption', seq: this.seq, piece: piece.piece, text, final: true });
      } else if (!this.pieces.some((p) => p.piece > piece.piece && p.status === 'done')) {
        // A compressed format's piece is the whole answer so far: it replaces the caption (piece 0),
        // unless a later, longer one came back first.
        this.send({ type: 'caption', seq: this.seq, piece: 0, text, final: true });
      }
    } catch (err) {
      piece.status = 'pending';
      this.deps.logger.warn(
        { interviewId: this.interviewId, seq: this.seq, err: { message: loggableMessage(err) } },
        'piece transcription failed; its audio is kept and retried in the background',
      );
      await savePiecePending(this.deps, key, file, err).catch((e: Error) =>
        this.deps.logger.error(
          { interviewId: this.interviewId, err: { message: e.message } },
          'pending piece not saved (its audio stays in Redis)',
        ),
      );
    }
    if (!this.ended) this.evaluate();
  }

  private pieceRows() {
    return this.pieces.map((p) => ({
      piece: p.piece,
      fromChunk: p.from,
      toChunk: p.to,
      status: p.status,
      text: p.text,
    }));
  }

  /** The words so far, when every piece before the current pause is transcribed. */
  private textSoFar(): string | null {
    if (this.pieceHasVoice) return null;
    if (this.pieces.some((p) => p.status !== 'done')) return null;
    return assembleAnswer(this.pieceRows()).text;
  }

  private evaluate() {
    if (this.ended || this.detached) return;
    if (this.lastEndMs >= MAX_ANSWER_AUDIO_MS) return void this.end('max_length');
    const text = this.textSoFar();
    const decision = decideTurn({
      hasSpeech: this.hasSpeech,
      silenceMs: this.hasSpeech ? this.lastEndMs - this.lastVoicedEndMs : this.lastEndMs,
      text,
      pauseSettingMs: this.pauseMs,
      prompted: this.prompted,
    });
    if (decision.action === 'end') return void this.end('pause');
    if (decision.action === 'prompt') {
      this.prompted = true;
      this.send({
        type: 'prompt',
        seq: this.seq,
        text: 'Take your time. Start speaking when you are ready, or press "Type instead" to write your answer.',
      });
      return;
    }
    if (text && looksFinished(text) && this.speculatedOn !== text) {
      this.speculatedOn = text;
      this.events.onSpeculate(text);
    }
  }

  /** "Done": ends once every chunk up to `lastIndex` is stored (waits at most 10 s for resent ones). */
  async finish(lastIndex: number): Promise<void> {
    if (this.ended) return;
    const until = Date.now() + 10_000;
    while (this.upTo < lastIndex && Date.now() < until) {
      await this.flush();
      if (this.upTo >= lastIndex) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await this.end('done');
  }

  /** Ends the answer now: the tail becomes a piece; waits for every piece (each within its deadlines). */
  async end(reason: TTurnEndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const answerEndAt = Date.now();
    if (
      this.pieceHasVoice ||
      (reason !== 'pause' && this.processedUpTo >= this.pieceFrom && this.hasSpeech)
    ) {
      this.closePiece(this.processedUpTo);
    }
    const soFar = assembleAnswer(this.pieceRows()).text;
    this.send({ type: 'turn_end', seq: this.seq, reason, text: soFar });
    await this.flush();
    const started = Date.now();
    const waiting = this.pieces.some((p) => p.status === 'transcribing');
    const ticker = waiting
      ? setInterval(() => {
          const sinceMs = Date.now() - started;
          const slow = sinceMs >= this.deps.config.voice.sttDeadlineMs - 1000;
          this.send({
            type: 'status',
            phase: slow ? 'delayed' : 'transcribing',
            message: slow
              ? 'Turning your answer into text is taking longer than usual. We have your audio, so you will not need to repeat anything; the interview goes on in a moment.'
              : 'Turning the end of your answer into text…',
            sinceMs,
            seq: this.seq,
          });
        }, 3000)
      : undefined;
    if (waiting) {
      this.send({
        type: 'status',
        phase: 'transcribing',
        message: 'Turning the end of your answer into text…',
        sinceMs: 0,
        seq: this.seq,
      });
    }
    await Promise.all(this.pieces.map((p) => p.done));
    clearInterval(ticker);
    const answer = assembleAnswer(this.pieceRows());
    this.events.onEnd({
      seq: this.seq,
      reason,
      text: answer.text,
      pending: answer.pending,
      audioMs: this.lastEndMs,
      endOfSpeechAt: this.lastVoicedAt,
      answerEndAt,
      transcriptReadyAt: waiting ? Date.now() : answerEndAt,
    });
  }

  get isDetached(): boolean {
    return this.detached;
  }

  /** Did the candidate say anything (voiced audio) in this answer? */
  get heardSpeech(): boolean {
    return this.hasSpeech;
  }
}
