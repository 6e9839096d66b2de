/**
 * LEGACY: protocol version 1, kept only while the browser bundle on main still
 * speaks it (the v2 socket in interview-socket.ts hands a v1 connection here).
 * Delete with src/portal/public/interview.js's last v1 user.
 *
 * The interview's WebSocket protocol (version 1). JSON messages; the client
 * gives each of its messages an `id`, which the server echoes in `ack` or
 * `error`. The server is the source of truth: on every (re)connect it sends
 * the full `state`; the browser only draws what it is told.
 *
 * client → server: hello {key} · start · answer {seq, clientId, text, mode, audioMs?, sinceEndMs?}
 *   · latency {seq, ms} · integrity {signal, seq?, durationMs?, chars?} · finish · ping
 * server → client: state {snapshot} · question {turn, number, total, greeting?} · speech {seq, mime, audio}
 *   | speech {seq, fallback: true} · thinking {seq} · completed {reason, text} · taken_over
 *   · ack {id, result?} · error {id?, code, message} · pong
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AppError, isAppError } from '../domain/errors.js';
import { synthesize } from '../infra/ai/speech.js';
import { loggableMessage } from '../infra/logger.js';
import {
  claimConnection,
  ensureOpenTurn,
  finishInterview,
  INTEGRITY_SIGNALS,
  isActiveConnection,
  recordIntegritySignal,
  recordTurnLatency,
  snapshot,
  startInterview,
  submitAnswer,
  type TEndReason,
  type TTurnView,
} from '../services/interview/conduct.js';
import { findInterviewByKey, timingOf } from '../services/interview/session.js';
import type { TPortalDeps } from './deps.js';
import type { KeyGuard } from './key-guard.js';

const PROTOCOL_VERSION = 1;
/** Raise when the consent notice in pages.ts changes materially: the event records which one was accepted. */
const CONSENT_VERSION = 1;
const MAX_MESSAGE_BYTES = 64 * 1024;
const HEARTBEAT_MS = 25_000;
/** Messages a connection may send at once; refilled at a tenth of this per second. */
const MESSAGE_BURST = 60;

const ZId = z.string().min(1).max(64);
const ZClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), id: ZId, key: z.string().max(100) }),
  z.object({
    type: z.literal('start'),
    id: ZId,
    /** The lobby's consent notice was accepted: without it the interview does not start. */
    consent: z.literal(true),
    mode: z.enum(['voice', 'typed']).optional(),
  }),
  z.object({
    type: z.literal('answer'),
    id: ZId,
    seq: z.number().int().min(0).max(1000),
    clientId: z.string().min(8).max(64),
    text: z.string().max(40_000),
    mode: z.enum(['voice', 'typed', 'skipped']),
    audioMs: z.number().min(0).max(3_600_000).optional(),
    /** Time between the end of the answer and this message leaving the browser. */
    sinceEndMs: z.number().min(0).max(600_000).optional(),
  }),
  z.object({ type: z.literal('latency'), id: ZId, seq: z.number().int().min(0), ms: z.number().min(0) }),
  z.object({
    type: z.literal('integrity'),
    id: ZId,
    signal: z.enum(INTEGRITY_SIGNALS),
    seq: z.number().int().min(0).optional(),
    durationMs: z.number().min(0).optional(),
    chars: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal('finish'), id: ZId }),
  z.object({ type: z.literal('ping'), id: ZId }),
]);
type TClientMessage = z.infer<typeof ZClientMessage>;

const WRAP_UP: Record<TEndReason, string> = {
  finished:
    'That was the last question. Thank you for your time and your answers. The hiring team will be in touch.',
  time_up:
    'We have reached the end of our time, so we will stop here. Thank you for your answers. The hiring team will be in touch.',
  window_closed:
    'The time for this interview is over, so we will stop here. Thank you for your answers. The hiring team will be in touch.',
};

/** Spoken questions are few and repeat across interviews (planned questions): keep recent ones. */
class SpeechCache {
  private readonly items = new Map<string, { audio: string; mime: string }>();
  get(text: string) {
    const hit = this.items.get(text);
    if (hit) {
      this.items.delete(text);
      this.items.set(text, hit);
    }
    return hit;
  }
  set(text: string, value: { audio: string; mime: string }) {
    this.items.set(text, value);
    if (this.items.size > 200) this.items.delete(this.items.keys().next().value as string);
  }
}

export class LegacyInterviewSockets {
  /** This process's open rooms, so a second tab here can close the first at once. */
  private readonly live = new Map<string, { connectionId: string; socket: WebSocket }>();
  private readonly speech = new SpeechCache();
  private readonly inFlight = new Map<string, Promise<{ audio: string; mime: string }>>();

  constructor(
    private readonly deps: TPortalDeps,
    private readonly guard: KeyGuard,
  ) {}

  handle(socket: WebSocket, ip: string, first?: { raw: Buffer; isBinary: boolean }): void {
    const connectionId = randomUUID();
    let interviewId: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    const log = this.deps.logger.child({ component: 'interview-ws', connectionId });

    const send = (msg: Record<string, unknown>) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
    };
    const fail = (id: string | undefined, err: unknown) => {
      if (isAppError(err)) {
        if (err.status >= 500) log.error({ interviewId, code: err.code }, err.message);
        send({ type: 'error', id, code: err.code, message: err.publicMessage });
      } else {
        log.error({ interviewId, err: { message: loggableMessage(err) } }, 'interview message failed');
        send({
          type: 'error',
          id,
          code: 'internal',
          message: 'Something went wrong on our side. Please try again in a moment.',
        });
      }
    };

    const armTimer = async () => {
      if (!interviewId) return;
      clearTimeout(timer);
      const s = await snapshot(this.deps, interviewId);
      if (s.status !== 'in_progress') return;
      const id = interviewId;
      // The slot's duration is a hard limit, kept by the server whatever the page does.
      timer = setTimeout(
        () => {
          chain = chain.then(async () => {
            const row = await this.deps.prisma.interview.findUnique({ where: { id } });
            if (!row) return;
            const t = timingOf(this.deps, row);
            if (t.remainingMs > 0) return armTimer();
            const reason: TEndReason =
              t.endsAt && t.endsAt.getTime() >= t.window.closesAt.getTime() ? 'window_closed' : 'time_up';
            await finishInterview(this.deps, id, reason);
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
      const text = WRAP_UP[reason];
      send({ type: 'completed', reason, text });
      void this.speak(send, -1, text);
    };

    const sendQuestion = async (
      turn: TTurnView,
      greeting: string | null,
      known?: { total: number; remainingMs: number },
    ) => {
      const s = known ?? (await snapshot(this.deps, interviewId as string));
      send({
        type: 'question',
        turn,
        number: turn.planIndex + 1,
        total: 'total' in s ? s.total : s.questionTotal,
        remainingMs: s.remainingMs,
        ...(greeting ? { greeting } : {}),
      });
      void this.speak(send, turn.seq, greeting ? `${greeting} ${turn.question}` : turn.question);
    };

    const sendState = async () => {
      let s = await snapshot(this.deps, interviewId as string);
      if (s.status === 'in_progress' && s.current === null && s.remainingMs > 0) {
        // An answer was saved but the next question never went out (a crash, a failed call).
        await ensureOpenTurn(this.deps, interviewId as string);
        s = await snapshot(this.deps, interviewId as string);
      }
      send({ type: 'state', state: s });
      if (s.current) void this.speak(send, s.current.seq, s.current.question);
    };

    const owns = async (): Promise<boolean> => {
      if (!interviewId) return false;
      if (await isActiveConnection(this.deps, interviewId, connectionId)) return true;
      send({ type: 'taken_over' });
      socket.close(4409, 'taken over');
      return false;
    };

    const onMessage = async (msg: TClientMessage) => {
      if (msg.type === 'ping') return send({ type: 'pong', id: msg.id });
      if (msg.type === 'hello') {
        if (interviewId) return send({ type: 'ack', id: msg.id });
        // The key first: a valid one never waits on the limiter (key-guard.ts).
        const interview = await findInterviewByKey(this.deps, msg.key);
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
            id: msg.id,
            code: 'invalid_link',
            message: 'This interview link is not valid.',
          });
          return socket.close(4401, 'invalid link');
        }
        interviewId = interview.id;
        await claimConnection(this.deps, interview.id, connectionId);
        const previous = this.live.get(interview.id);
        if (previous && previous.connectionId !== connectionId) {
          previous.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'taken_over' }));
          previous.socket.close(4409, 'taken over');
        }
        this.live.set(interview.id, { connectionId, socket });
        log.info({ interviewId }, 'candidate connected');
        send({ type: 'ack', id: msg.id });
        await sendState();
        await armTimer();
        return;
      }
      if (!interviewId) {
        send({
          type: 'error',
          id: msg.id,
          code: 'unauthorized',
          message: 'Say hello with the session key first.',
        });
        return;
      }
      // Answers check ownership in the same read that records them (one query less per turn).
      if (msg.type !== 'answer' && !(await owns())) return;
      switch (msg.type) {
        case 'start': {
          const { started } = await startInterview(this.deps, interviewId, {
            consentVersion: CONSENT_VERSION,
            mode: msg.mode ?? 'typed',
          });
          send({ type: 'ack', id: msg.id });
          const s = await snapshot(this.deps, interviewId);
          if (started && s.current) {
            const row = await this.deps.prisma.interview.findUniqueOrThrow({
              where: { id: interviewId },
              include: { candidate: { select: { name: true } }, role: { select: { title: true } } },
            });
            const first = row.candidate.name.trim().split(/\s+/)[0] ?? '';
            const greeting = `Hello ${first}, thank you for joining. I am the AI interviewer for the ${row.role.title} role. There will be about ${s.questionTotal} questions. Take your time with each one. Here is the first.`;
            await sendQuestion(s.current, greeting);
          } else {
            await sendState();
          }
          await armTimer();
          return;
        }
        case 'answer': {
          const receivedAt = performance.now();
          send({ type: 'thinking', seq: msg.seq });
          const result = await submitAnswer(this.deps, interviewId, {
            seq: msg.seq,
            clientId: msg.clientId,
            text: msg.text,
            mode: msg.mode,
            audioDurationMs: msg.audioMs,
            connectionId,
          });
          if (result.kind === 'taken_over') {
            send({ type: 'taken_over' });
            socket.close(4409, 'taken over');
            return;
          }
          send({ type: 'ack', id: msg.id, result: result.kind });
          if (result.kind === 'next') {
            await sendQuestion(result.turn, null, result);
            // Server-side estimate, written after the question left, until the browser reports
            // when the audio actually started (a 'latency' message replaces it).
            const id = interviewId;
            void this.deps.prisma.interviewTurn
              .updateMany({
                where: { interviewId: id, seq: msg.seq, responseLatencyMs: null },
                data: {
                  responseLatencyMs: Math.round(performance.now() - receivedAt + (msg.sinceEndMs ?? 0)),
                },
              })
              .catch((err: Error) =>
                log.warn(
                  { interviewId: id, err: { message: loggableMessage(err) } },
                  'latency estimate not saved',
                ),
              );
          } else if (result.kind === 'completed') {
            clearTimeout(timer);
            await sendCompleted(result.reason);
          } else {
            await sendState();
          }
          return;
        }
        case 'latency': {
          // Replaces the server's estimate with the browser's measurement (answer end → first audio).
          await recordTurnLatency(this.deps, interviewId, msg.seq, msg.ms);
          return send({ type: 'ack', id: msg.id });
        }
        case 'integrity': {
          await recordIntegritySignal(this.deps, interviewId, msg.signal, {
            seq: msg.seq,
            durationMs: msg.durationMs,
            chars: msg.chars,
          });
          return send({ type: 'ack', id: msg.id });
        }
        case 'finish': {
          const row = await this.deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
          if (row.status === 'scheduled')
            throw new AppError('invalid_state', 'The interview has not started.');
          await finishInterview(this.deps, interviewId, 'finished');
          clearTimeout(timer);
          send({ type: 'ack', id: msg.id });
          const done = await this.deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
          await sendCompleted((done.endReason as TEndReason | null) ?? 'finished');
          return;
        }
      }
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
    // A browser sends a handful of messages a minute; a flood is not a candidate.
    let budget = MESSAGE_BURST;
    const refill = setInterval(() => {
      budget = Math.min(MESSAGE_BURST, budget + MESSAGE_BURST / 10);
    }, 1000);
    refill.unref();

    const onRaw = (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      alive = true;
      budget -= 1;
      if (budget < 0) {
        send({ type: 'error', code: 'rate_limited', message: 'Too many messages. Please reload the page.' });
        socket.close(4429, 'too many messages');
        return;
      }
      const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
      if (isBinary || size > MAX_MESSAGE_BYTES) {
        send({ type: 'error', code: 'invalid_input', message: 'Messages are JSON text of at most 64 KB.' });
        return;
      }
      let parsed: ReturnType<typeof ZClientMessage.safeParse>;
      try {
        const json = JSON.parse(raw.toString());
        if (json?.v !== PROTOCOL_VERSION) {
          send({
            type: 'error',
            id: json?.id,
            code: 'unsupported_version',
            message: 'Please reload the page.',
          });
          return;
        }
        parsed = ZClientMessage.safeParse(json);
      } catch {
        send({ type: 'error', code: 'invalid_input', message: 'Messages must be JSON.' });
        return;
      }
      if (!parsed.success) {
        const raw = (parsed.error.issues[0]?.path ?? []).join('.');
        send({
          type: 'error',
          code: 'invalid_input',
          message:
            raw === 'consent'
              ? 'Please read and accept the notice about the AI interviewer before you begin.'
              : 'That message is not part of the protocol.',
        });
        return;
      }
      const msg = parsed.data;
      // One message at a time per connection: answers are applied in the order they were sent.
      chain = chain.then(() => onMessage(msg)).catch((err) => fail(msg.id, err));
    };
    socket.on('message', onRaw);
    if (first) onRaw(first.raw, first.isBinary);
    socket.on('close', () => {
      clearTimeout(timer);
      clearInterval(heartbeat);
      clearInterval(refill);
      if (interviewId && this.live.get(interviewId)?.connectionId === connectionId)
        this.live.delete(interviewId);
    });
    socket.on('error', (err) => log.warn({ err: { message: err.message } }, 'socket error'));
  }

  /**
   * Sends the spoken form of `text`; on any failure tells the browser to speak it itself.
   * Runs beside the message chain (never awaited there), so a slow text-to-speech call
   * never holds up the next answer; the browser matches speech to its question by seq.
   */
  private async speak(send: (m: Record<string, unknown>) => void, seq: number, text: string): Promise<void> {
    const ai = this.deps.ai;
    if (!ai) return send({ type: 'speech', seq, fallback: true, text });
    const cached = this.speech.get(text);
    if (cached) return send({ type: 'speech', seq, ...cached });
    try {
      // Many rooms ask the same planned question at once: one synthesis serves them all.
      let pending = this.inFlight.get(text);
      if (!pending) {
        pending = synthesize(ai, text).then(({ audio, mime }) => ({ audio: audio.toString('base64'), mime }));
        this.inFlight.set(text, pending);
        void pending.then(
          (value) => this.speech.set(text, value),
          () => undefined,
        );
        void pending.finally(() => this.inFlight.delete(text)).catch(() => undefined);
      }
      send({ type: 'speech', seq, ...(await pending) });
    } catch (err) {
      this.deps.logger.warn(
        { err: { message: (err as Error).message } },
        'text-to-speech failed; browser speaks',
      );
      send({ type: 'speech', seq, fallback: true, text });
    }
  }
}
