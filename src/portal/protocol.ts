/**
 * The interview WebSocket protocol, version 2: the one definition the server
 * (src/portal/interview-socket.ts) and the browser bundle (src/portal/client/)
 * both import. It must stay free of Node imports (the browser bundles it);
 * zod and plain TypeScript only.
 *
 * ## Text frames
 * JSON objects with `v: PROTOCOL_VERSION` and a `type`. A client message may carry an
 * `id`; the server echoes it in `ack` or `error`. A message with another `v` gets
 * `error {code: 'reload'}` (the page is out of date) and the socket is closed with
 * RELOAD_CLOSE_CODE. The server is the source of truth: on every (re)connect it
 * sends the full `state`, including how much of the open turn's audio it already
 * holds (`resume`), so a reconnect (to any portal process) resends only the rest.
 *
 * ## Binary frames (both directions): a 12-byte big-endian header, then the payload
 * ```
 * offset size field
 *   0     1   kind   FRAME_AUDIO (0x01) candidate audio, client → server
 *                    FRAME_SPEECH (0x02) interviewer speech, server → client
 *   1     1   flags  audio:  bit 0 VOICED, the browser's voice-activity detector heard
 *                            speech in this chunk (the server decides pauses from it)
 *                    speech: bit 0 LAST, the last frame of this speech stream
 *   2     2   seq    the turn (uint16)
 *   4     4   index  audio: the chunk's number within the turn's audio, from 0, consecutive;
 *                    the server stores each index once (a resent chunk is a no-op) and
 *                    acknowledges with `audio_ack {seq, upTo}` = every index ≤ upTo is stored.
 *                    speech: the frame's number within its stream, from 0
 *   8     4   ms     audio: milliseconds of audio from `audio_start` to the END of this chunk
 *                    (audio time, not arrival time: a network stall never looks like a pause)
 *                    speech: the stream id from `speech_start` (frames of a stopped stream are dropped)
 *  12     …   payload  audio: the encoder's bytes for this chunk (see `audio_start.mime`);
 *                      speech: bytes of `speech_start.mime`, in order, playable as they arrive
 * ```
 * Audio chunks should be about 100 ms each (pauses are measured in chunks) and at
 * most MAX_FRAME_BYTES. Keep every chunk until it is acknowledged; resend the
 * unacknowledged ones after a reconnect (from `state.resume.upTo + 1`).
 *
 * ## Audio formats (`audio_start.mime`)
 * - `audio/pcm;rate=16000` (preferred; AudioWorklet, signed 16-bit little-endian mono):
 *   any span of chunks is a valid file once the server adds a WAV header, so pause-delimited
 *   pieces are transcribed while the candidate speaks and captions follow them.
 * - MediaRecorder `audio/webm;codecs=opus`, `audio/ogg;codecs=opus`, Safari `audio/mp4`:
 *   accepted too; chunks after the first are not standalone files, so each piece is
 *   transcribed as the whole recording so far (captions still come at each pause).
 *
 * ## A voice turn
 * ```
 * server: question {turn}   speech_start {seq, stream, mime, text}  [speech frames]  speech_end
 * client: audio_start {seq, mime}   [audio frames …]                     (barge_in {seq, playedMs} if the
 * server: audio_ack {seq, upTo} …   caption {seq, piece, text, final} …   candidate talks over the speech)
 * server: turn_end {seq, reason, text}     (the server decided the answer ended; or the client's audio_end)
 * server: status {phase: 'thinking'}  reply_text {seq: next, delta} …  speech_start {seq: next} …  question {turn}
 *         (a follow-up's speech_start and reply_text may come before its `question`: they carry the next seq;
 *          a planned next question comes as `question` first, then its cached speech)
 * client: latency {seq, mark: 'first_audio_played', sinceTurnEndMs}
 * ```
 */

import { z } from 'zod';
import { ERROR_CODE_NAMES } from '../domain/errors.js';

export const PROTOCOL_VERSION = 2;
/** WebSocket close code sent with `error {code: 'reload'}`. */
export const RELOAD_CLOSE_CODE = 4426;
export const RELOAD_MESSAGE =
  'This page is out of date. Please reload it to continue: your answers so far are saved.';

export {
  decodeFrame,
  encodeFrame,
  FLAG_LAST,
  FLAG_VOICED,
  FRAME_AUDIO,
  FRAME_HEADER_BYTES,
  FRAME_SPEECH,
  MAX_FRAME_BYTES,
  type TFrame,
} from '../domain/audio-frame.js';

// ------------------------------------------------------------------ shared parts

const ZId = z.string().min(1).max(64);
const ZSeq = z.number().int().min(0).max(1000);
/** Audio formats the server accepts (see the file comment). */
export const ZAudioMime = z
  .string()
  .max(80)
  .regex(
    /^audio\/(pcm;rate=(8000|16000|24000|48000)|webm(;codecs=opus)?|ogg(;codecs=opus)?|mp4(;codecs=[\w.]+)?)$/,
  );
export const PCM_MIME = 'audio/pcm;rate=16000';
/** The candidate's "pause that ends an answer" setting (ms); the server's turn-taking scales with it. */
export const PAUSE_SETTINGS_MS = [1200, 2500, 5000, 10000] as const;
export const DEFAULT_PAUSE_MS = 2500;
/** The `seq` of the closing words' speech (after `completed`). */
export const WRAP_UP_SEQ = 0xffff;
export const INTEGRITY_SIGNALS = ['tab_hidden', 'paste', 'long_silence'] as const;

export const ZTurnView = z.object({
  seq: z.number().int(),
  planIndex: z.number().int(),
  isFollowUp: z.boolean(),
  question: z.string(),
  answerText: z.string().nullable(),
  answerMode: z.string().nullable(),
  /** true while the server still turns part of this answer's kept audio into text. */
  transcriptPending: z.boolean().optional(),
});
export type TTurnView = z.infer<typeof ZTurnView>;

export const ZSnapshot = z.object({
  status: z.enum(['not_started', 'in_progress', 'completed']),
  windowState: z.enum(['too_early', 'lobby', 'open', 'closed']),
  joinOpensAt: z.string(),
  closesAt: z.string(),
  startedAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  remainingMs: z.number(),
  durationMs: z.number(),
  questionTotal: z.number().int(),
  turns: z.array(ZTurnView),
  current: ZTurnView.nullable(),
  endReason: z.string().nullable(),
});
export type TSnapshot = z.infer<typeof ZSnapshot>;

/** What the server can do with voice today (sent in `state`; the lobby shows it). */
export const ZVoiceAvailability = z.object({
  /** Spoken answers need a speech-to-text endpoint; without one the room offers typing. */
  answers: z.boolean(),
  /** Server speech (else the browser's own speech synthesis reads the questions). */
  speech: z.boolean(),
  /** Why answers are unavailable, for the lobby, worded for the candidate (never blames the microphone). */
  message: z.string().optional(),
});
export type TVoiceAvailability = z.infer<typeof ZVoiceAvailability>;

// ------------------------------------------------------------- client → server

const v = z.literal(PROTOCOL_VERSION);

export const ZClientMessage = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('hello'), id: ZId.optional(), key: z.string().max(100) }),
  z.object({
    v,
    type: z.literal('start'),
    id: ZId.optional(),
    /** The lobby's consent notice was accepted: without it the interview does not start. */
    consent: z.literal(true),
    mode: z.enum(['voice', 'typed']).optional(),
  }),
  /** A typed answer. Voice answers never carry text from the browser: the server transcribes them. */
  z.object({
    v,
    type: z.literal('answer'),
    id: ZId.optional(),
    seq: ZSeq,
    clientId: z.string().min(8).max(64),
    text: z.string().max(40_000),
    mode: z.literal('typed'),
  }),
  /** The next binary audio frames of turn `seq` are in `mime`. Sent again after a reconnect (same values). */
  z.object({ v, type: z.literal('audio_start'), id: ZId.optional(), seq: ZSeq, mime: ZAudioMime }),
  /**
   * The candidate pressed "Done" (`done`: the answer ends at once, once chunks ≤ lastIndex are stored),
   * or switched to typing before saying anything (`cancel`: the audio is dropped).
   */
  z.object({
    v,
    type: z.literal('audio_end'),
    id: ZId.optional(),
    seq: ZSeq,
    lastIndex: z.number().int().min(-1),
    reason: z.enum(['done', 'cancel']),
  }),
  /** The candidate spoke over the interviewer: the page stopped its audio after `playedMs` of it. */
  z.object({
    v,
    type: z.literal('barge_in'),
    id: ZId.optional(),
    seq: ZSeq,
    playedMs: z.number().min(0).max(600_000),
  }),
  /** "Repeat the question": the server sends its speech again. */
  z.object({ v, type: z.literal('replay_question'), id: ZId.optional(), seq: ZSeq }),
  /** The "pause that ends an answer" setting. */
  z.object({
    v,
    type: z.literal('settings'),
    id: ZId.optional(),
    pauseMs: z.number().int().min(PAUSE_SETTINGS_MS[0]).max(PAUSE_SETTINGS_MS[3]),
  }),
  /**
   * A latency mark the browser measured for the answer to turn `seq`: time from receiving
   * `turn_end {seq}` to the first audio of the next question playing.
   */
  z.object({
    v,
    type: z.literal('latency'),
    id: ZId.optional(),
    seq: ZSeq,
    mark: z.literal('first_audio_played'),
    sinceTurnEndMs: z.number().min(0).max(600_000),
  }),
  z.object({
    v,
    type: z.literal('integrity'),
    id: ZId.optional(),
    signal: z.enum(INTEGRITY_SIGNALS),
    seq: ZSeq.optional(),
    durationMs: z.number().min(0).optional(),
    chars: z.number().int().min(0).optional(),
  }),
  z.object({ v, type: z.literal('finish'), id: ZId.optional() }),
  z.object({ v, type: z.literal('ping'), id: ZId.optional() }),
]);
export type TClientMessage = z.infer<typeof ZClientMessage>;

// ------------------------------------------------------------- server → client

export const STATUS_PHASES = [
  /** Waiting for the candidate to speak (or type). */
  'listening',
  /** The answer ended; the rest of it is being turned into text. */
  'transcribing',
  /** Choosing the next question. */
  'thinking',
  /** The interviewer is speaking. */
  'speaking',
  /** Something is slower than usual; `message` says what happens next. */
  'delayed',
] as const;

export const TURN_END_REASONS = [
  /** A pause after words that look finished (or a long pause after unfinished ones). */
  'pause',
  /** The candidate pressed "Done". */
  'done',
  /** The answer reached MAX_ANSWER_AUDIO_MS. */
  'max_length',
  /** A typed answer arrived. */
  'typed',
] as const;

export const ZServerMessage = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('ack'), id: ZId.optional(), result: z.string().optional() }),
  z.object({
    v,
    type: z.literal('error'),
    id: ZId.optional(),
    /** An AppError code (domain/errors.ts). `reload`: the page speaks an older protocol. */
    code: z.enum(ERROR_CODE_NAMES),
    message: z.string(),
  }),
  z.object({ v, type: z.literal('pong'), id: ZId.optional() }),
  z.object({
    v,
    type: z.literal('state'),
    state: ZSnapshot,
    voice: ZVoiceAvailability,
    pauseMs: z.number().int(),
    /** Audio of the open turn the server already holds: resend chunks after `upTo`. */
    resume: z.object({ seq: z.number().int(), mime: z.string(), upTo: z.number().int() }).nullable(),
  }),
  z.object({
    v,
    type: z.literal('question'),
    turn: ZTurnView,
    number: z.number().int(),
    total: z.number().int(),
    remainingMs: z.number(),
    greeting: z.string().optional(),
  }),
  z.object({ v, type: z.literal('audio_ack'), seq: z.number().int(), upTo: z.number().int() }),
  /**
   * Live caption of the answer: piece `piece` (from 0) now reads `text`; `final` when it will not change.
   * For compressed formats (a piece is the whole answer so far) `piece` is always 0 and replaces the caption.
   */
  z.object({
    v,
    type: z.literal('caption'),
    seq: z.number().int(),
    piece: z.number().int(),
    text: z.string(),
    final: z.boolean(),
  }),
  /** The server decided the answer ended. `text` is the transcript so far (the server's own). */
  z.object({
    v,
    type: z.literal('turn_end'),
    seq: z.number().int(),
    reason: z.enum(TURN_END_REASONS),
    text: z.string(),
  }),
  /** Part of the interviewer's next words (a follow-up question as the model writes it). */
  z.object({ v, type: z.literal('reply_text'), seq: z.number().int(), delta: z.string() }),
  z.object({
    v,
    type: z.literal('speech_start'),
    seq: z.number().int(),
    /** Matches the `ms` field of this stream's binary frames. */
    stream: z.number().int(),
    /** e.g. audio/mpeg (MediaSource-playable) */
    mime: z.string(),
    text: z.string(),
  }),
  z.object({
    v,
    type: z.literal('speech_end'),
    seq: z.number().int(),
    stream: z.number().int(),
    frames: z.number().int(),
    /** true when it was cut short (barge-in, or synthesis failed part-way: a speech_fallback follows). */
    stopped: z.boolean(),
  }),
  /** Server speech is unavailable: the browser speaks `text` itself. */
  z.object({ v, type: z.literal('speech_fallback'), seq: z.number().int(), text: z.string() }),
  /** Answer to `barge_in`: the question counts as heard (it stays on screen) and the candidate goes on. */
  z.object({
    v,
    type: z.literal('barge_in_ok'),
    seq: z.number().int(),
    policy: z.enum(['heard', 'repeat']),
    message: z.string(),
  }),
  /** What is happening now, and for how long: the room shows `message` (never one status > 10 s unexplained). */
  z.object({
    v,
    type: z.literal('status'),
    phase: z.enum(STATUS_PHASES),
    message: z.string(),
    sinceMs: z.number(),
    seq: z.number().int().optional(),
  }),
  /** Part of answer `seq` is not text yet; the server keeps its audio and keeps trying. No need to repeat it. */
  z.object({ v, type: z.literal('transcription_pending'), seq: z.number().int(), message: z.string() }),
  /**
   * The stored text of answer `seq`: sent once the answer is recorded (it includes the tail that
   * `turn_end` did not), and again when a background transcription finishes, from any portal process.
   */
  z.object({
    v,
    type: z.literal('answer_text'),
    seq: z.number().int(),
    text: z.string(),
    pending: z.boolean(),
  }),
  /** A gentle prompt after a long silence. */
  z.object({ v, type: z.literal('prompt'), seq: z.number().int(), text: z.string() }),
  z.object({
    v,
    type: z.literal('completed'),
    reason: z.enum(['finished', 'time_up', 'window_closed']),
    text: z.string(),
  }),
  z.object({ v, type: z.literal('taken_over') }),
]);
export type TServerMessage = z.infer<typeof ZServerMessage>;
export type TServerMessageOf<T extends TServerMessage['type']> = Extract<TServerMessage, { type: T }>;
/** A server message before the version is added (what the server's `send` takes). */
export type TServerPayload = TServerMessage extends infer M
  ? M extends { v: number }
    ? Omit<M, 'v'>
    : never
  : never;

/**
 * Parses a client text frame. `reload` when it speaks another protocol version
 * (answer with `error {code: 'reload', message: RELOAD_MESSAGE}` and close with RELOAD_CLOSE_CODE).
 */
export function parseClientMessage(
  text: string,
):
  | { ok: true; message: TClientMessage }
  | { ok: false; reason: 'reload' | 'not_json' | 'invalid'; id?: string; path?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const obj = (typeof json === 'object' && json !== null ? json : {}) as { v?: unknown; id?: unknown };
  const id = typeof obj.id === 'string' && obj.id.length <= 64 ? obj.id : undefined;
  if (obj.v !== PROTOCOL_VERSION) return { ok: false, reason: 'reload', ...(id ? { id } : {}) };
  const parsed = ZClientMessage.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'invalid',
      ...(id ? { id } : {}),
      path: (parsed.error.issues[0]?.path ?? []).join('.'),
    };
  }
  return { ok: true, message: parsed.data };
}
