/**
 * The interview WebSocket, protocol v2 (src/portal/protocol.ts). A voice turn
 * streams: the answer's audio comes in as binary frames (VoiceTurn stores,
 * acknowledges, transcribes it in pieces and decides when it ended), the
 * follow-up/next decision streams from the model, and the next question's
 * speech streams back in binary frames, first sentence first. A planned
 * question's speech is made while the candidate still answers (SpeechCache in
 * Redis), so "next question" needs no synthesis once the answer ends.
 *
 * Speculation: when the candidate pauses after words that look finished, the
 * decision starts on the transcript so far while the turn-taking wait runs.
 * If the candidate speaks again (any voiced audio), the guess is aborted; when
 * the answer ends, the guess is used only if the final transcript is exactly the
 * text it was made on. The guess costs at most one extra chat call per pause.
 *
 * Barge-in: the browser stops its audio at once and says `barge_in {playedMs}`;
 * the server stops sending speech, records how much was heard, and the question
 * counts as heard (it stays on screen, and "Repeat the question" replays it).
 *
 * A page on another protocol version (an old tab) gets `error {code: 'reload'}`
 * and the close code RELOAD_CLOSE_CODE on its first message.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { AppError, isAppError } from '../domain/errors.js';
import { tallyAnswers, wrapUpText } from '../domain/interview-end.js';
import { timeOutReason } from '../domain/window.js';
import { sttOf, ttsOf } from '../infra/ai/client.js';
import {
  chooseNextStream,
  decisionCall,
  failedCall,
  type TInterviewerCall,
  type TNextDecision,
} from '../infra/ai/interviewer.js';
import { synthesizeStream } from '../infra/ai/speech.js';
import type { KeyGuard } from '../infra/key-guard.js';
import { loggableMessage } from '../infra/logger.js';
import { AudioStore } from '../services/interview/audio-store.js';
import {
  askNext,
  claimConnection,
  ensureOpenTurn,
  finishInterview,
  followUpInput,
  isActiveConnection,
  recordAnswer,
  recordIntegritySignal,
  snapshot,
  startInterview,
  type TAnswerInterview,
  type TAnswerResult,
  type TDecisionContext,
  type TEndReason,
  type TRecorded,
} from '../services/interview/conduct.js';
import { recordLatencyMarks } from '../services/interview/latency.js';
import { readPlan } from '../services/interview/plan.js';
import {
  discardAnswerPieces,
  findRoomInterview,
  getAnsweredTurn,
  getInterviewWithNames,
  getRoomInterview,
  latestTurnIfOwned,
  recordBargeIn,
  storedQuestionPlan,
} from '../services/interview/room-records.js';
import { findInterviewByKey, type TKeyedInterview, timingOf } from '../services/interview/session.js';
import { SpeechCache } from '../services/interview/speech-cache.js';
import {
  readTurnAnswer,
  refreshTurnAnswer,
  retryPendingTranscripts,
} from '../services/interview/transcripts.js';
import { type TVoiceOutcome, VoiceTurn } from '../services/interview/voice-turn.js';
import type { TPortalDeps } from './deps.js';
import {
  DEFAULT_PAUSE_MS,
  decodeFrame,
  encodeFrame,
  FLAG_LAST,
  FRAME_AUDIO,
  FRAME_SPEECH,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  RELOAD_CLOSE_CODE,
  RELOAD_MESSAGE,
  type TClientMessage,
  type TServerPayload,
  type TTurnView,
  type TVoiceAvailability,
  WRAP_UP_SEQ,
} from './protocol.js';

/** Raise when the consent notice in pages.ts changes materially: the event records which one was accepted. */
const CONSENT_VERSION = 1;
const MAX_TEXT_BYTES = 64 * 1024;
const HEARTBEAT_MS = 25_000;
/** JSON messages a connection may send at once; refilled at a tenth of this per second. */
const MESSAGE_BURST = 60;
/** Audio frames: about 10 a second while speaking; a resend after a reconnect may burst. */
const FRAME_BURST = 3000;
/** Cached speech goes out in frames of this size. */
const SPEECH_FRAME_BYTES = 16 * 1024;
/** How often this process looks for pending transcriptions to retry. */
const RETRY_SWEEP_MS = 15_000;

/** Sentences, for speech that starts on the first one. Keeps short fragments with their neighbour. */
export function splitSentences(text: string): string[] {
  const parts = text.match(/[^.!?]+(?:[.!?]+["')\]]?|$)\s*/g) ?? [text];
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (t === '') continue;
    const last = out.at(-1);
    if (last !== undefined && last.length < 12) out[out.length - 1] = `${last} ${t}`;
    else out.push(t);
  }
  return out;
}

function greetingFor(firstName: string, roleTitle: string, total: number) {
  return `Hello ${firstName}, thank you for joining. I am the AI interviewer for the ${roleTitle} role. There will be about ${total} questions. Take your time with each one. Here is the first.`;
}

type TSend = (msg: TServerPayload) => void;

/** One stream of interviewer speech to one connection; `stop()` ends it at once (barge-in). */
class SpeechOut {
  private readonly abort = new AbortController();
  private frames = 0;
  private started = false;
  private queue: string[] = [];
  private closed = false;
  private wake: (() => void) | null = null;
  readonly done: Promise<void>;
  stopped = false;

  constructor(
    private readonly ctx: {
      deps: TPortalDeps;
      cache: SpeechCache;
      sendJson: TSend;
      sendBinary: (bytes: Uint8Array) => void;
      onFirstByte: (seq: number) => void;
    },
    readonly seq: number,
    readonly stream: number,
    /** The whole text when known now (cache lookup); null for a follow-up still being written. */
    readonly wholeText: string | null,
  ) {
    if (wholeText !== null) {
      this.queue = splitSentences(wholeText);
      this.closed = true;
    }
    this.done = this.run().catch((err: Error) =>
      ctx.deps.logger.warn({ err: { message: err.message } }, 'speech stream failed'),
    );
  }

  /** More text of a streamed reply (whole sentences). */
  push(sentence: string) {
    this.queue.push(sentence);
    this.wake?.();
  }
  end() {
    this.closed = true;
    this.wake?.();
  }
  stop() {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
  }

  private frame(payload: Uint8Array, last = false) {
    if (this.stopped) return;
    if (this.frames === 0) this.ctx.onFirstByte(this.seq);
    this.ctx.sendBinary(
      encodeFrame({
        kind: FRAME_SPEECH,
        flags: last ? FLAG_LAST : 0,
        seq: this.seq,
        index: this.frames++,
        ms: this.stream,
        payload,
      }),
    );
  }

  private start(mime: string, text: string) {
    if (this.started) return;
    this.started = true;
    this.ctx.sendJson({ type: 'speech_start', seq: this.seq, stream: this.stream, mime, text });
  }

  private finish(stopped: boolean) {
    if (!this.started) return;
    this.frame(new Uint8Array(0), true);
    this.ctx.sendJson({
      type: 'speech_end',
      seq: this.seq,
      stream: this.stream,
      frames: this.frames,
      stopped: stopped || this.stopped,
    });
  }

  private async next(): Promise<string | null> {
    for (;;) {
      if (this.stopped) return null;
      const s = this.queue.shift();
      if (s !== undefined) return s;
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  private async run() {
    const { deps, cache, sendJson } = this.ctx;
    const ai = deps.ai;
    if (this.wholeText !== null) {
      const hit = await cache.get(this.wholeText);
      if (hit) {
        this.start(hit.mime, this.wholeText);
        for (let at = 0; at < hit.audio.length && !this.stopped; at += SPEECH_FRAME_BYTES) {
          this.frame(hit.audio.subarray(at, at + SPEECH_FRAME_BYTES));
        }
        return this.finish(false);
      }
    }
    const spoken: Uint8Array[] = [];
    for (;;) {
      const sentence = await this.next();
      if (sentence === null) break;
      if (!ai || !ttsOf(ai)) {
        const rest = [sentence, ...this.queue.splice(0)].join(' ');
        this.finish(true);
        if (!this.stopped) sendJson({ type: 'speech_fallback', seq: this.seq, text: rest });
        if (!this.closed) return this.fallbackRest();
        return;
      }
      let ok = false;
      for (let attempt = 0; attempt < 2 && !ok && !this.stopped; attempt++) {
        try {
          const { mime, chunks } = await synthesizeStream(ai, sentence, {
            firstByteMs: deps.config.voice.speechFirstByteMs,
            signal: this.abort.signal,
          });
          this.start(mime, this.wholeText ?? sentence);
          for await (const chunk of chunks) {
            if (this.stopped) break;
            spoken.push(chunk);
            for (let at = 0; at < chunk.byteLength; at += SPEECH_FRAME_BYTES) {
              this.frame(chunk.subarray(at, at + SPEECH_FRAME_BYTES));
            }
          }
          ok = true;
        } catch (err) {
          if (this.stopped) break;
          deps.logger.warn(
            { err: { message: loggableMessage(err) }, attempt },
            'text-to-speech failed for a sentence',
          );
          // Bytes already sent cannot be taken back: no retry after a part of this sentence went out.
          if (spoken.length > 0 && attempt === 0) break;
        }
      }
      if (this.stopped) break;
      if (!ok) {
        // The browser says the rest itself.
        const rest = [sentence, ...this.queue.splice(0)].join(' ');
        this.finish(true);
        sendJson({ type: 'speech_fallback', seq: this.seq, text: rest });
        if (!this.closed) return this.fallbackRest();
        return;
      }
    }
    this.finish(false);
    if (!this.stopped && this.wholeText !== null && spoken.length > 0) {
      const all = Buffer.concat(spoken.map((c) => Buffer.from(c)));
      void cache.put(this.wholeText, { mime: 'audio/mpeg', audio: all });
    }
  }

  /** After a fallback mid-reply: the rest of a streamed reply goes to the browser's speech too. */
  private async fallbackRest() {
    const rest: string[] = [];
    for (;;) {
      const s = await this.next();
      if (s === null) break;
      rest.push(s);
    }
    if (rest.length > 0 && !this.stopped) {
      this.ctx.sendJson({ type: 'speech_fallback', seq: this.seq, text: rest.join(' ') });
    }
  }
}

/** A decision started on the transcript so far, while the candidate pauses. */
type TSpeculation = {
  text: string;
  abort: AbortController;
  result: Promise<TNextDecision>;
  /** Deltas and action seen so far, replayed when adopted. */
  deltas: string[];
  action: TNextDecision['action'] | null;
  onDelta: ((d: string) => void) | null;
  onAction: ((a: TNextDecision['action']) => void) | null;
  decidedAt: number | null;
};

export class InterviewSockets {
  /** This process's open rooms, so a second tab here can close the first at once. */
  private readonly live = new Map<string, { connectionId: string; socket: WebSocket }>();
  readonly audio: AudioStore;
  readonly speechCache: SpeechCache;
  private readonly sweep: NodeJS.Timeout;
  /** Hears `AudioStore.announceAnswer` from every portal process (a subscribed connection does nothing else). */
  private readonly announcements: Redis;
  /** Voice turns of this process, by interview, so a reconnect to this process reuses the object. */
  private readonly turns = new Map<string, VoiceTurn>();

  constructor(
    private readonly deps: TPortalDeps,
    private readonly guard: KeyGuard,
  ) {
    this.audio = new AudioStore(deps.queues.connection, deps.queues.prefix);
    this.speechCache = new SpeechCache(deps.queues.connection, deps.queues.prefix, deps.ai, deps.logger);
    // Pending transcriptions (a piece whose transcription failed twice) are retried by any
    // portal process; the lease in the row keeps two from doing the same one.
    let sweeping = false;
    this.sweep = setInterval(() => {
      if (sweeping || !sttOf(deps.ai)) return;
      sweeping = true;
      void retryPendingTranscripts(deps, this.audio)
        .catch((err: Error) =>
          deps.logger.warn({ err: { message: err.message } }, 'pending transcription sweep failed'),
        )
        .finally(() => {
          sweeping = false;
        });
    }, RETRY_SWEEP_MS);
    this.sweep.unref();
    // Its own connection (a subscribed one can do nothing else); the offline queue holds SUBSCRIBE
    // until it is connected (the producer connection it copies refuses commands while offline), and
    // ioredis subscribes again after a reconnect.
    this.announcements = deps.queues.connection.duplicate({ enableOfflineQueue: true });
    this.announcements.on('error', (err: Error) =>
      deps.logger.warn({ err: { message: err.message } }, 'answer announcements: Redis error'),
    );
    this.announcements.on('message', (_channel: string, body: string) => {
      void this.showAnswer(body).catch((err: Error) =>
        deps.logger.warn({ err: { message: err.message } }, 'answer text not pushed to the room'),
      );
    });
    void this.announcements
      .subscribe(this.audio.answerChannel)
      .catch((err: Error) =>
        deps.logger.error(
          { err: { message: err.message } },
          'answer announcements not subscribed: rooms see late transcripts only after a reconnect',
        ),
      );
  }

  close() {
    clearInterval(this.sweep);
    this.announcements.disconnect();
  }

  /** A background transcription finished: the room, if it is open on this process, shows the whole answer. */
  private async showAnswer(body: string): Promise<void> {
    const { interviewId, seq } = JSON.parse(body) as { interviewId?: unknown; seq?: unknown };
    if (typeof interviewId !== 'string' || typeof seq !== 'number') return;
    const room = this.live.get(interviewId);
    if (!room) return;
    const answer = await readTurnAnswer(this.deps, interviewId, seq);
    if (!answer || room.socket.readyState !== room.socket.OPEN) return;
    const msg: TServerPayload = { type: 'answer_text', seq, text: answer.text, pending: answer.pending };
    room.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
  }

  voiceAvailability(): TVoiceAvailability {
    const answers = sttOf(this.deps.ai) !== null;
    return {
      answers,
      speech: ttsOf(this.deps.ai) !== null,
      ...(answers
        ? {}
        : {
            message:
              'Spoken answers need a speech-to-text service, and none is set up for this interview, so please answer by typing. The questions are still read aloud.',
          }),
    };
  }

  handle(socket: WebSocket, ip: string): void {
    const deps = this.deps;
    const connectionId = randomUUID();
    let interviewId: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    let pauseMs = DEFAULT_PAUSE_MS;
    let voice: VoiceTurn | null = null;
    let opening: { seq: number; frames: Array<{ raw: Uint8Array }> } | null = null;
    let speech: SpeechOut | null = null;
    let streamId = 0;
    let speculation: TSpeculation | null = null;
    /** Decision calls made on guesses of the current answer (the audit counts them with the decision). */
    let guessCalls = 0;
    let replying = false;
    /** The last answer's end, for the latency marks of the reply to it. */
    let lastEnd: { seq: number; at: number; marks: Record<string, number> } | null = null;
    let closed = false;
    /**
     * The interview as read at hello (with its role and candidate): what does not change during
     * the interview (plan, names) is read from here instead of the database on every turn.
     */
    let room: TKeyedInterview | null = null;
    /** The open question as last sent (the follow-up guess reads it instead of the database). */
    let openTurn: TTurnView | null = null;
    const log = deps.logger.child({ component: 'interview-ws', connectionId });

    const send: TSend = (msg) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
    };
    const sendBinary = (bytes: Uint8Array) => {
      if (socket.readyState === socket.OPEN) socket.send(bytes, { binary: true });
    };
    const fail = (id: string | undefined, err: unknown) => {
      if (isAppError(err)) {
        if (err.status >= 500) log.error({ interviewId, code: err.code }, err.message);
        send({ type: 'error', ...(id ? { id } : {}), code: err.code, message: err.publicMessage });
      } else {
        log.error({ interviewId, err: { message: loggableMessage(err) } }, 'interview message failed');
        send({
          type: 'error',
          ...(id ? { id } : {}),
          code: 'internal',
          message: 'Something went wrong on our side. Please try again in a moment.',
        });
      }
    };
    const status = (
      phase: 'listening' | 'thinking' | 'speaking' | 'delayed',
      message: string,
      seq?: number,
    ) => send({ type: 'status', phase, message, sinceMs: 0, ...(seq === undefined ? {} : { seq }) });

    const onFirstByte = (seq: number) => {
      if (lastEnd && lastEnd.seq + 1 === seq && interviewId) {
        const marks = { ...lastEnd.marks, firstAudioSent: Date.now() - lastEnd.at };
        lastEnd.marks = marks;
        void recordLatencyMarks(deps, interviewId, lastEnd.seq, marks).catch((err: Error) =>
          log.warn({ interviewId, err: { message: err.message } }, 'latency marks not saved'),
        );
      }
    };
    const speechCtx = {
      deps,
      cache: this.speechCache,
      sendJson: send,
      sendBinary,
      onFirstByte,
    };
    const speak = (seq: number, text: string | null): SpeechOut => {
      speech?.stop();
      streamId = (streamId + 1) % 0xffffffff;
      speech = new SpeechOut(speechCtx, seq, streamId, text);
      return speech;
    };

    const prepareNextSpeech = async (turn: TTurnView) => {
      if (!interviewId || !ttsOf(deps.ai)) return;
      const plan = readPlan(room?.questionPlan) ?? readPlan(await storedQuestionPlan(deps, interviewId));
      const next = plan?.[turn.planIndex + 1];
      if (next) void this.speechCache.prepare(next.text);
    };

    /** Arms the interview's time limit; `known`: where it stands as just read or written (no read then). */
    const armTimer = async (known?: { isInProgress: boolean; remainingMs: number }) => {
      if (!interviewId) return;
      clearTimeout(timer);
      const id = interviewId;
      let s = known;
      if (!s) {
        const row = await findRoomInterview(deps, id);
        s = {
          isInProgress: row?.status === 'in_progress',
          remainingMs: row ? timingOf(deps, row).remainingMs : 0,
        };
      }
      if (!s.isInProgress) return;
      // The slot's duration is a hard limit, kept by the server whatever the page does.
      timer = setTimeout(
        () => {
          chain = chain.then(async () => {
            const row = await findRoomInterview(deps, id);
            if (!row) return;
            const t = timingOf(deps, row);
            if (t.remainingMs > 0) return armTimer();
            const reason: TEndReason = timeOutReason(t);
            await finishInterview(deps, id, reason);
            await sendCompleted(reason);
          });
          // A failure here (database or Redis down) is retried by the next visit or message.
          chain = chain.catch((err) => fail(undefined, err));
        },
        Math.min(s.remainingMs + 50, 2 ** 31 - 1),
      );
      timer.unref();
    };

    const sendCompleted = async (reason: TEndReason) => {
      // The last words say how many questions were answered when the interview ended before the plan did.
      const s = interviewId ? await snapshot(deps, interviewId) : null;
      const text = wrapUpText(
        reason,
        tallyAnswers(
          (s?.turns ?? []).map((t) => ({ isFollowUp: t.isFollowUp, answered: t.answerText !== null })),
          s?.questionTotal ?? 0,
        ),
      );
      voice?.detach();
      voice = null;
      send({ type: 'completed', reason, text });
      speak(WRAP_UP_SEQ, text);
    };

    const sendQuestion = (
      turn: TTurnView,
      s: { total: number; remainingMs: number },
      greeting: string | null,
      opts: { speak: boolean } = { speak: true },
    ) => {
      send({
        type: 'question',
        turn,
        number: turn.planIndex + 1,
        total: s.total,
        remainingMs: s.remainingMs,
        ...(greeting ? { greeting } : {}),
      });
      openTurn = turn;
      if (opts.speak) {
        status('speaking', 'The interviewer is asking the question.', turn.seq);
        speak(turn.seq, greeting ? `${greeting} ${turn.question}` : turn.question);
      }
      void prepareNextSpeech(turn).catch(() => undefined);
    };

    const resumeInfo = async (seq: number) => {
      const { indexes, mime } = await this.audio.held(interviewId as string, seq);
      if (indexes.length === 0) return null;
      let upTo = -1;
      const set = new Set(indexes);
      while (set.has(upTo + 1)) upTo += 1;
      return { seq, mime: mime ?? '', upTo };
    };

    /** `fresh`: `room` was read just now (at hello), so only the turns are read. */
    const sendState = async (fresh = false) => {
      const id = interviewId as string;
      let s = await snapshot(deps, id, fresh && room ? room : undefined);
      if (s.status === 'in_progress' && s.current === null && s.remainingMs > 0) {
        // An answer was saved but the next question never went out (a crash, a failed call).
        await ensureOpenTurn(deps, id);
        s = await snapshot(deps, id);
      }
      openTurn = s.current;
      send({
        type: 'state',
        state: s,
        voice: this.voiceAvailability(),
        pauseMs,
        resume: s.current ? await resumeInfo(s.current.seq).catch(() => null) : null,
      });
      if (s.status === 'not_started' && ttsOf(deps.ai)) {
        // The greeting and first question are spoken from the cache the moment the candidate starts.
        const row = room ?? (await getInterviewWithNames(deps, id));
        const plan = readPlan(row.questionPlan);
        if (plan?.[0]) {
          const first = row.candidate.name.trim().split(/\s+/)[0] ?? '';
          void this.speechCache.prepare(`${greetingFor(first, row.role.title, plan.length)} ${plan[0].text}`);
        }
      }
    };

    const takenOver = () => {
      send({ type: 'taken_over' });
      socket.close(4409, 'taken over');
    };
    const owns = async (): Promise<boolean> => {
      if (!interviewId) return false;
      if (await isActiveConnection(deps, interviewId, connectionId)) return true;
      takenOver();
      return false;
    };

    /** The room's interview as the reply to an answer reads it (its timing is re-read with the answer). */
    const answerInterview = (): TAnswerInterview | undefined =>
      room
        ? {
            id: room.id,
            questionPlan: room.questionPlan,
            scheduledStart: room.scheduledStart,
            scheduledEnd: room.scheduledEnd,
            startedAt: room.startedAt,
            extraMinutes: room.extraMinutes,
            role: { title: room.role.title },
          }
        : undefined;

    // ------------------------------------------------------------ the reply

    /** The open turn `seq` and its interview, for a guess at the decision (from memory when the room holds them). */
    const turnContext = async (seq: number): Promise<Omit<TDecisionContext, 'text'>> => {
      const interview = answerInterview();
      const plan = readPlan(room?.questionPlan);
      if (interview && plan && openTurn?.seq === seq) {
        const { isFollowUp, question, planIndex } = openTurn;
        // A turn's competency is its plan entry's (createTurn), follow-ups included.
        return {
          interview,
          answered: { isFollowUp, question, planIndex, competency: plan[planIndex]?.competency ?? null },
        };
      }
      return getAnsweredTurn(deps, interviewId as string, seq);
    };

    const startSpeculation = (seq: number, text: string) => {
      speculation?.abort.abort();
      speculation = null;
      const ai = deps.ai;
      if (!ai || !interviewId) return;
      const abort = new AbortController();
      const spec: TSpeculation = {
        text,
        abort,
        deltas: [],
        action: null,
        onDelta: null,
        onAction: null,
        decidedAt: null,
        result: Promise.resolve({ action: 'next' }),
      };
      spec.result = (async () => {
        const { interview, answered } = await turnContext(seq);
        const ask = await followUpInput(deps, { interview, answered, text }, 'voice');
        if (!ask) return { action: 'next' } as TNextDecision;
        guessCalls++;
        return chooseNextStream(ai, ask, {
          deadlineMs: deps.config.voice.decisionDeadlineMs,
          signal: abort.signal,
          onAction: (a) => {
            spec.action = a;
            spec.decidedAt = Date.now();
            spec.onAction?.(a);
          },
          onQuestion: (d) => {
            spec.deltas.push(d);
            spec.onDelta?.(d);
          },
        });
      })();
      spec.result.catch(() => undefined);
      speculation = spec;
    };

    /** Records the answer and replies: streamed decision, then the next question's speech. */
    const reply = async (
      input: { seq: number; text: string; mode: 'voice' | 'typed'; clientId: string },
      outcome: TVoiceOutcome | null,
    ) => {
      const id = interviewId as string;
      const endAt = outcome?.answerEndAt ?? Date.now();
      const marks: Record<string, number> = {};
      if (outcome) {
        if (outcome.endOfSpeechAt !== null) marks.endOfSpeech = outcome.endOfSpeechAt - endAt;
        marks.transcriptReady = outcome.transcriptReadyAt - endAt;
      }
      lastEnd = { seq: input.seq, at: endAt, marks };
      const recorded = await recordAnswer(
        deps,
        id,
        {
          seq: input.seq,
          clientId: input.clientId,
          text: input.text,
          mode: input.mode,
          connectionId,
          ...(outcome
            ? { audioDurationMs: outcome.audioMs, transcriptPending: outcome.pending, latencyMarks: marks }
            : {}),
        },
        answerInterview(),
      );
      if (recorded.kind !== 'recorded') return afterResult(recorded);
      if (outcome) {
        // turn_end carried the words before the tail: the room now shows the whole answer as stored.
        send({ type: 'answer_text', seq: input.seq, text: recorded.text, pending: outcome.pending });
        // The answer's audio is deleted once its transcript is stored (or kept while pending; a
        // piece retried meanwhile may have finished, so the turn's text is rebuilt from its pieces).
        if (outcome.pending) void refreshTurnAnswer(deps, this.audio, id, input.seq).catch(() => undefined);
        else void this.audio.drop(id, input.seq).catch(() => undefined);
        if (outcome.pending) {
          send({
            type: 'transcription_pending',
            seq: input.seq,
            message:
              'Part of your answer is not text yet. We kept its audio and keep working on it, so you do not need to repeat it. The interview goes on.',
          });
        }
      }
      status('thinking', 'The interviewer is considering your answer.', input.seq);
      const ask = outcome?.pending ? null : await followUpInput(deps, recorded, input.mode);
      const nextSeq = input.seq + 1;
      let followSpeech: SpeechOut | null = null;
      let sentenceBuf = '';
      let asked: Promise<TAnswerResult> | null = null;
      // The audit's record of the decision call, stored on the turn it chose (set before askNext).
      let call: TInterviewerCall | null = null;
      const askPlanned = () => {
        asked ??= askNext(deps, recorded, null, call).then(async (r) => {
          await afterResult(r);
          return r;
        });
        return asked;
      };
      const onAction = (a: TNextDecision['action']) => {
        marks.decisionReady = Date.now() - endAt;
        if (deps.ai) call = { ...decisionCall(deps.ai), outcome: a, guesses: guessCalls };
        // The planned question's speech is ready (cached): ask it without waiting for the stream's end.
        if (a === 'next') void askPlanned().catch((err) => fail(undefined, err));
      };
      const onDelta = (d: string) => {
        send({ type: 'reply_text', seq: nextSeq, delta: d });
        sentenceBuf += d;
        const sentences = splitSentences(sentenceBuf);
        // Every sentence but the last is complete (the last may still grow).
        if (sentences.length > 1 || /[.!?]["')\]]?\s*$/.test(sentenceBuf)) {
          const complete = /[.!?]["')\]]?\s*$/.test(sentenceBuf) ? sentences : sentences.slice(0, -1);
          if (complete.length > 0) {
            followSpeech ??= speak(nextSeq, null);
            for (const s of complete) followSpeech.push(s);
            sentenceBuf = sentences.length > complete.length ? (sentences.at(-1) ?? '') : '';
          }
        }
      };
      let decision: TNextDecision = { action: 'next' };
      if (ask && deps.ai) {
        const spec = speculation as TSpeculation | null;
        speculation = null;
        const isGuessUsed = spec !== null && spec.text === input.text;
        // The guesses set aside; a guess made on exactly this transcript is the decision itself.
        guessCalls = Math.max(0, guessCalls - (isGuessUsed ? 1 : 0));
        try {
          if (isGuessUsed && spec) {
            // The guess was made on exactly this transcript: use it (its deltas so far, then live).
            if (spec.action) onAction(spec.action);
            for (const d of spec.deltas) onDelta(d);
            spec.onAction = onAction;
            spec.onDelta = onDelta;
            decision = await spec.result;
          } else {
            spec?.abort.abort();
            decision = await chooseNextStream(deps.ai, ask, {
              deadlineMs: deps.config.voice.decisionDeadlineMs,
              onAction,
              onQuestion: onDelta,
            });
          }
        } catch (err) {
          // The model failing (or taking longer than the deadline) costs the follow-up, never the interview.
          log.warn({ interviewId: id, err: { message: loggableMessage(err) } }, 'follow-up decision failed');
          (followSpeech as SpeechOut | null)?.stop();
          followSpeech = null;
          decision = { action: 'next' };
          call = { ...failedCall(decisionCall(deps.ai), err), guesses: guessCalls };
        }
      }
      guessCalls = 0;
      marks.decisionReady ??= Date.now() - endAt;
      if (decision.action === 'follow_up') {
        if (sentenceBuf.trim() !== '') {
          followSpeech ??= speak(nextSeq, null);
          followSpeech.push(sentenceBuf.trim());
        }
        if (!followSpeech) followSpeech = speak(nextSeq, decision.question);
        else followSpeech.end();
        const result = await askNext(deps, recorded, decision.question, call);
        if (result.kind === 'next') {
          sendQuestion(result.turn, result, null, { speak: false });
          await armTimer({ isInProgress: true, remainingMs: result.remainingMs });
        } else await afterResult(result);
      } else {
        const result = await askPlanned();
        if (result.kind === 'next') await armTimer({ isInProgress: true, remainingMs: result.remainingMs });
      }
      // With speech, the marks were saved at its first byte (onFirstByte); without, save them now.
      if (lastEnd?.marks.firstAudioSent === undefined) {
        void recordLatencyMarks(deps, id, input.seq, marks).catch(() => undefined);
      }
    };

    const afterResult = async (result: TAnswerResult | Exclude<TAnswerResult, { kind: 'next' }>) => {
      switch (result.kind) {
        case 'next':
          return sendQuestion(result.turn, result, null);
        case 'completed':
          clearTimeout(timer);
          return sendCompleted(result.reason);
        case 'taken_over':
          send({ type: 'taken_over' });
          return socket.close(4409, 'taken over');
        default:
          // duplicate / stale: the room redraws from the state.
          return void sendState().catch((err) => fail(undefined, err));
      }
    };

    const onVoiceEnd = (outcome: TVoiceOutcome) => {
      const turn = voice;
      voice = null;
      if (turn) this.turns.delete(`${turn.interviewId}:${turn.seq}`);
      if (closed) return;
      if (outcome.text === '' && !outcome.pending) {
        // Nothing was said: nothing to store; listen again (the audio is dropped).
        void this.audio.drop(interviewId as string, outcome.seq).catch(() => undefined);
        status(
          'listening',
          'We did not hear an answer. Speak when you are ready, or press "Type instead".',
          outcome.seq,
        );
        return;
      }
      replying = true;
      chain = chain
        .then(() =>
          reply(
            { seq: outcome.seq, text: outcome.text, mode: 'voice', clientId: `voice-${outcome.seq}` },
            outcome,
          ),
        )
        .catch((err) => fail(undefined, err))
        .finally(() => {
          replying = false;
        });
    };

    const openVoice = async (seq: number, mime: string) => {
      const id = interviewId as string;
      const key = `${id}:${seq}`;
      const events = {
        send,
        onEnd: onVoiceEnd,
        onSpeculate: (text: string) => startSpeculation(seq, text),
        onResume: () => {
          speculation?.abort.abort();
          speculation = null;
        },
      };
      const existing = this.turns.get(key);
      if (existing && !existing.ended) {
        existing.attach(events);
        existing.pauseMs = pauseMs;
        return existing;
      }
      const turn = await VoiceTurn.open({ ...deps, audio: this.audio }, id, seq, mime, pauseMs, events);
      this.turns.set(key, turn);
      return turn;
    };

    const onMessage = async (msg: TClientMessage) => {
      if (msg.type === 'ping') return send({ type: 'pong', ...(msg.id ? { id: msg.id } : {}) });
      if (msg.type === 'hello') {
        if (interviewId) return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
        // The key first: a valid one never waits on the limiter (key-guard.ts).
        const interview = await findInterviewByKey(deps, msg.key);
        if (!interview) {
          if (await this.guard.miss(ip)) {
            send({
              type: 'error',
              id: msg.id,
              code: 'rate_limited',
              message: 'Too many attempts. Please wait a few minutes.',
            });
            return socket.close(4429, 'rate limited');
          }
          send({
            type: 'error',
            ...(msg.id ? { id: msg.id } : {}),
            code: 'invalid_link',
            message: 'This interview link is not valid.',
          });
          return socket.close(4401, 'invalid link');
        }
        interviewId = interview.id;
        room = interview;
        await claimConnection(deps, interview.id, connectionId);
        const previous = this.live.get(interview.id);
        if (previous && previous.connectionId !== connectionId) {
          previous.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'taken_over' }));
          previous.socket.close(4409, 'taken over');
        }
        this.live.set(interview.id, { connectionId, socket });
        log.info({ interviewId }, 'candidate connected');
        send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
        await sendState(true);
        await armTimer({
          isInProgress: interview.status === 'in_progress',
          remainingMs: timingOf(deps, interview).remainingMs,
        });
        return;
      }
      const id = interviewId;
      if (!id) {
        send({
          type: 'error',
          ...(msg.id ? { id: msg.id } : {}),
          code: 'unauthorized',
          message: 'Say hello with the session key first.',
        });
        return;
      }
      if (msg.type === 'settings') {
        pauseMs = msg.pauseMs;
        if (voice) voice.pauseMs = pauseMs;
        return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
      }
      if (msg.type === 'latency') {
        // The browser measures from receiving turn_end, which left when the answer ended.
        await recordLatencyMarks(deps, id, msg.seq, { firstAudioPlayed: msg.sinceTurnEndMs });
        return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
      }
      if (msg.type === 'barge_in') {
        const s = speech as SpeechOut | null;
        if (s && s.seq === msg.seq) s.stop();
        await recordBargeIn(deps, id, msg.seq, msg.playedMs);
        send({
          type: 'barge_in_ok',
          seq: msg.seq,
          policy: 'heard',
          message:
            'The interviewer stopped so you can speak. The question stays on screen; go ahead with your answer.',
        });
        return;
      }
      // An answer's start checks ownership with its own read (latestTurnIfOwned).
      if (msg.type !== 'audio_start' && !(await owns())) return;
      switch (msg.type) {
        case 'start': {
          const { started } = await startInterview(deps, id, {
            consentVersion: CONSENT_VERSION,
            mode: msg.mode ?? 'typed',
          });
          send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
          const s = await snapshot(deps, id);
          if (started && s.current) {
            const row = room ?? (await getInterviewWithNames(deps, id));
            const first = row.candidate.name.trim().split(/\s+/)[0] ?? '';
            sendQuestion(
              s.current,
              { total: s.questionTotal, remainingMs: s.remainingMs },
              greetingFor(first, row.role.title, s.questionTotal),
            );
          } else {
            await sendState();
          }
          await armTimer({ isInProgress: s.status === 'in_progress', remainingMs: s.remainingMs });
          return;
        }
        case 'audio_start': {
          if (!sttOf(deps.ai)) {
            opening = null;
            // Said as it is (not AppError's generic 5xx sentence): the candidate must know to type.
            send({
              type: 'error',
              ...(msg.id ? { id: msg.id } : {}),
              code: 'unavailable',
              message:
                'Spoken answers need a speech-to-text service, and none is set up. Please type your answer.',
            });
            return;
          }
          const { isOwner, latest: open } = await latestTurnIfOwned(deps, id, connectionId);
          if (!isOwner) {
            opening = null;
            return takenOver();
          }
          if (!open || open.answeredAt !== null || open.seq !== msg.seq) {
            opening = null;
            send({
              type: 'error',
              ...(msg.id ? { id: msg.id } : {}),
              code: 'stale',
              message: 'That question is already answered.',
            });
            return;
          }
          if (opening?.seq !== msg.seq) opening = { seq: msg.seq, frames: [] };
          try {
            voice = await openVoice(msg.seq, msg.mime);
          } finally {
            const buffered = opening?.frames ?? [];
            opening = null;
            for (const f of buffered) onBinary(f.raw);
          }
          send({ type: 'audio_ack', seq: msg.seq, upTo: voice.upTo });
          status('listening', 'Listening…', msg.seq);
          return;
        }
        case 'audio_end': {
          const turn = voice;
          if (!turn || turn.seq !== msg.seq) {
            return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}), result: 'no_audio' });
          }
          send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
          if (msg.reason === 'cancel') {
            turn.detach();
            turn.ended = true;
            voice = null;
            this.turns.delete(`${id}:${msg.seq}`);
            await this.audio.drop(id, msg.seq);
            await discardAnswerPieces(deps, id, msg.seq);
            return;
          }
          // Not awaited in the chain: the end waits for transcription, and messages go on meanwhile.
          void turn.finish(msg.lastIndex).catch((err) => fail(undefined, err));
          return;
        }
        case 'answer': {
          if (voice && voice.seq === msg.seq) {
            voice.detach();
            voice.ended = true;
            voice = null;
          }
          send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
          send({ type: 'turn_end', seq: msg.seq, reason: 'typed', text: msg.text });
          await reply({ seq: msg.seq, text: msg.text, mode: 'typed', clientId: msg.clientId }, null);
          return;
        }
        case 'replay_question': {
          const s = await snapshot(deps, id);
          if (s.current && s.current.seq === msg.seq) speak(msg.seq, s.current.question);
          return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
        }
        case 'integrity': {
          await recordIntegritySignal(deps, id, msg.signal, {
            seq: msg.seq,
            durationMs: msg.durationMs,
            chars: msg.chars,
          });
          return send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
        }
        case 'finish': {
          const row = await getRoomInterview(deps, id);
          if (row.status === 'scheduled')
            throw new AppError('invalid_state', 'The interview has not started.');
          await finishInterview(deps, id, 'finished');
          clearTimeout(timer);
          send({ type: 'ack', ...(msg.id ? { id: msg.id } : {}) });
          const done = await getRoomInterview(deps, id);
          await sendCompleted((done.endReason as TEndReason | null) ?? 'finished');
          return;
        }
      }
    };

    const onBinary = (raw: Uint8Array) => {
      if (opening) {
        opening.frames.push({ raw: raw.slice() });
        return;
      }
      const frame = decodeFrame(raw);
      if (!frame || frame.kind !== FRAME_AUDIO) {
        send({ type: 'error', code: 'invalid_input', message: 'That binary frame is not audio.' });
        return;
      }
      if (!voice || voice.seq !== frame.seq) {
        // Audio before audio_start, or for another question: not stored, so never acknowledged.
        if (!replying) {
          send({
            type: 'error',
            code: 'audio_not_started',
            message: 'Send audio_start for this question before its audio.',
          });
        }
        return;
      }
      voice.receive(frame, raw);
    };

    // Proxies drop WebSockets idle for about a minute, and candidates think longer than
    // that: a ping keeps the line open and finds connections that died without a close.
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    socket.on('pong', () => {
      alive = true;
    });
    // A browser sends a handful of messages a minute and ~10 audio frames a second; a flood is not a candidate.
    let budget = MESSAGE_BURST;
    let frameBudget = FRAME_BURST;
    const refill = setInterval(() => {
      budget = Math.min(MESSAGE_BURST, budget + MESSAGE_BURST / 10);
      frameBudget = Math.min(FRAME_BURST, frameBudget + 50);
    }, 1000);
    refill.unref();

    const onRaw = (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      alive = true;
      const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (isBinary) {
        frameBudget -= 1;
        if (frameBudget < 0 || buf.byteLength > MAX_FRAME_BYTES) {
          send({ type: 'error', code: 'rate_limited', message: 'Too much audio. Please reload the page.' });
          socket.close(4429, 'too many frames');
          return;
        }
        onBinary(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
        return;
      }
      budget -= 1;
      if (budget < 0) {
        send({ type: 'error', code: 'rate_limited', message: 'Too many messages. Please reload the page.' });
        socket.close(4429, 'too many messages');
        return;
      }
      if (buf.byteLength > MAX_TEXT_BYTES) {
        send({ type: 'error', code: 'invalid_input', message: 'Messages are JSON text of at most 64 KB.' });
        return;
      }
      const parsed = parseClientMessage(buf.toString());
      if (!parsed.ok) {
        if (parsed.reason === 'reload') {
          send({
            type: 'error',
            ...(parsed.id ? { id: parsed.id } : {}),
            code: 'reload',
            message: RELOAD_MESSAGE,
          });
          socket.close(RELOAD_CLOSE_CODE, 'protocol version');
          return;
        }
        send({
          type: 'error',
          ...(parsed.id ? { id: parsed.id } : {}),
          code: 'invalid_input',
          message:
            parsed.reason === 'not_json'
              ? 'Messages must be JSON.'
              : parsed.path === 'consent'
                ? 'Please read and accept the notice about the AI interviewer before you begin.'
                : parsed.path === 'mode'
                  ? 'Only typed answers carry text; a spoken answer is sent as audio and transcribed by the server.'
                  : 'That message is not part of the protocol.',
        });
        return;
      }
      const msg = parsed.message;
      // Audio frames right behind audio_start wait for it (it is queued behind other messages).
      if (msg.type === 'audio_start' && interviewId && (!voice || voice.seq !== msg.seq)) {
        if (opening?.seq !== msg.seq) opening = { seq: msg.seq, frames: [] };
      }
      // Latency marks and barge-in must not wait behind a reply being made.
      if (msg.type === 'barge_in' || msg.type === 'latency' || msg.type === 'ping') {
        void onMessage(msg).catch((err) => fail(msg.id, err));
        return;
      }
      // One message at a time per connection: answers are applied in the order they were sent.
      chain = chain.then(() => onMessage(msg)).catch((err) => fail(msg.id, err));
    };
    socket.on('message', onRaw);

    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      clearInterval(refill);
      speculation?.abort.abort();
      (speech as SpeechOut | null)?.stop();
      // Chunks received but not yet acknowledged are still stored; the pieces go on transcribing.
      if (voice) {
        const turn = voice;
        const key = `${turn.interviewId}:${turn.seq}`;
        void turn.flush().finally(() => turn.detach());
        // A reconnect to this process takes the same object back; one to another process rebuilds it.
        setTimeout(() => {
          if (turn.isDetached && this.turns.get(key) === turn) this.turns.delete(key);
        }, 60_000).unref();
      }
      if (interviewId && this.live.get(interviewId)?.connectionId === connectionId)
        this.live.delete(interviewId);
    });
    socket.on('error', (err) => log.warn({ err: { message: err.message } }, 'socket error'));
  }
}
