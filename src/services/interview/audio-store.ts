/**
 * Where a voice answer's audio lives while the candidate speaks: Redis, one hash
 * per turn (field = chunk index, value = the whole binary frame, header included,
 * so a process that takes over after a reconnect also gets each chunk's voice
 * flag and audio time). Every portal process reads the same hash, so a
 * reconnect to any of them resumes; a resent chunk is the same bytes under the
 * same field, so storing it again changes nothing. A chunk
 * is acknowledged to the browser only after it is stored here; the browser keeps
 * unacknowledged ones, so a portal crash loses nothing. The hash is deleted as
 * soon as the turn's transcript is stored (the consent text promises it); pieces
 * whose transcription failed keep their own copy in PostgreSQL (AnswerPiece.audio),
 * so Redis losing data later costs nothing either. A TTL removes abandoned turns.
 */
import type { Redis } from 'ioredis';
import { coalesceCalls } from '../../infra/coalesce-calls.js';

/** Abandoned turns' audio (a candidate who never came back) is gone after this. */
const AUDIO_TTL_MS = 6 * 60 * 60_000;
/** Each Redis call's deadline: a stalled Redis fails the call, never hangs the room. */
const REDIS_DEADLINE_MS = 3_000;

function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer ${what} within ${REDIS_DEADLINE_MS} ms`)),
      REDIS_DEADLINE_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type TAppend = { key: string; frames: Array<{ index: number; frame: Uint8Array }>; expire: boolean };

/** A view of the same bytes as a Buffer (ioredis writes Buffers as they are, without a copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class AudioStore {
  /**
   * Every turn's frames stored in the same event-loop turn go out as one pipeline:
   * at 1,000 candidates streaming, one write per process per flush instead of one
   * round trip per candidate (bench/interview.ts).
   */
  private readonly appendBatched: (input: TAppend) => Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.appendBatched = coalesceCalls(async (inputs: TAppend[]) => {
      const pipeline = this.redis.pipeline();
      /** Each input's commands: its HSET, then its PEXPIRE when asked. */
      const commands: number[][] = [];
      let n = 0;
      for (const { key, frames, expire } of inputs) {
        const fields: Array<string | Buffer> = [];
        for (const f of frames) fields.push(String(f.index), asBuffer(f.frame));
        pipeline.hset(key, ...fields);
        if (expire) pipeline.pexpire(key, AUDIO_TTL_MS);
        commands.push(expire ? [n++, n++] : [n++]);
      }
      const results = await bounded(pipeline.exec(), 'storing audio');
      if (!results) throw new Error('Redis refused the audio chunks');
      return commands.map((at) => at.map((i) => results[i]?.[0]).find((err) => err) ?? undefined);
    }, 500);
  }

  private key(interviewId: string, seq: number) {
    return `${this.prefix}:audio:${interviewId}:${seq}`;
  }
  private metaKey(interviewId: string, seq: number) {
    return `${this.prefix}:audio-meta:${interviewId}:${seq}`;
  }

  /**
   * Stores frames (batched with other turns' frames stored in the same event-loop turn).
   * `expire`: (re)start the turn's TTL, which its first write of each process needs; the TTL
   * (hours) outlasts any answer, so later writes skip it.
   */
  async append(
    interviewId: string,
    seq: number,
    frames: Array<{ index: number; frame: Uint8Array }>,
    opts: { expire: boolean } = { expire: true },
  ) {
    if (frames.length === 0) return;
    await this.appendBatched({ key: this.key(interviewId, seq), frames, expire: opts.expire });
  }

  /**
   * Opens a turn's audio in one round trip: records `mime` unless another process (or an
   * earlier connection) already did, and lists the chunks stored so far. Returns the turn's
   * format (the first one recorded wins) and its stored chunk indexes, ascending.
   */
  async open(interviewId: string, seq: number, mime: string): Promise<{ mime: string; indexes: number[] }> {
    const meta = this.redis
      .pipeline()
      .set(this.metaKey(interviewId, seq), mime, 'PX', AUDIO_TTL_MS, 'NX', 'GET');
    const held = await this.withIndexes(meta, interviewId, seq, 'opening the answer audio');
    return { mime: held.mime ?? mime, indexes: held.indexes };
  }

  /** What is held of a turn (for a reconnecting page), in one round trip: its format and chunk indexes. */
  held(interviewId: string, seq: number): Promise<{ mime: string | null; indexes: number[] }> {
    const meta = this.redis.pipeline().get(this.metaKey(interviewId, seq));
    return this.withIndexes(meta, interviewId, seq, 'reading the answer audio');
  }

  /** Runs `pipeline` (one command answering the stored format) with the turn's chunk listing. */
  private async withIndexes(
    pipeline: ReturnType<Redis['pipeline']>,
    interviewId: string,
    seq: number,
    what: string,
  ): Promise<{ mime: string | null; indexes: number[] }> {
    const results = await bounded(pipeline.hkeys(this.key(interviewId, seq)).exec(), what);
    const [stored, fields] = results ?? [];
    const err = stored?.[0] ?? fields?.[0] ?? (results ? null : new Error('Redis refused the pipeline'));
    if (err) throw err;
    return {
      mime: (stored?.[1] as string | null) ?? null,
      indexes: ((fields?.[1] as string[] | undefined) ?? []).map(Number).sort((a, b) => a - b),
    };
  }

  /** Every stored chunk index of the turn, ascending. */
  async indexes(interviewId: string, seq: number): Promise<number[]> {
    const keys = await bounded(this.redis.hkeys(this.key(interviewId, seq)), 'listing audio chunks');
    return keys.map(Number).sort((a, b) => a - b);
  }

  /** Frames `from`..`to` (inclusive) that are stored, in order. */
  async load(
    interviewId: string,
    seq: number,
    from: number,
    to: number,
  ): Promise<Array<{ index: number; frame: Buffer }>> {
    if (to < from) return [];
    const fields = Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
    const values = await bounded(
      this.redis.hmgetBuffer(this.key(interviewId, seq), ...fields),
      'reading audio chunks',
    );
    const out: Array<{ index: number; frame: Buffer }> = [];
    values.forEach((v, i) => {
      if (v) out.push({ index: from + i, frame: v });
    });
    return out;
  }

  /** The Redis channel on which `announceAnswer` tells every portal process that an answer's text changed. */
  get answerChannel(): string {
    return `${this.prefix}:answer-text`;
  }

  /**
   * Tells every portal process that answer `seq`'s stored text changed (a background transcription
   * finished), so the one holding the candidate's room shows it. Ids only: the text is read from
   * PostgreSQL by the receiver, so no transcript passes through Redis.
   */
  async announceAnswer(interviewId: string, seq: number) {
    await bounded(
      this.redis.publish(this.answerChannel, JSON.stringify({ interviewId, seq })),
      'announcing an answer',
    );
  }

  async drop(interviewId: string, seq: number) {
    await bounded(
      this.redis.del(this.key(interviewId, seq), this.metaKey(interviewId, seq)),
      'deleting audio',
    );
  }
}

/** Highest index such that every index from 0 to it is in `stored` (-1 if 0 is missing). */
export function contiguousUpTo(stored: ReadonlySet<number>, from = -1): number {
  let i = from;
  while (stored.has(i + 1)) i += 1;
  return i;
}

/** The parts one after another, in one new array. */
export function joinBytes(parts: readonly Uint8Array[], offset = 0): Uint8Array {
  const out = new Uint8Array(offset + parts.reduce((n, p) => n + p.byteLength, 0));
  let at = offset;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A WAV file (RIFF, PCM16 mono) around raw little-endian samples, given whole or in parts (copied once). */
export function wavFile(pcm: Uint8Array | readonly Uint8Array[], sampleRate: number): Uint8Array {
  const out = joinBytes(pcm instanceof Uint8Array ? [pcm] : pcm, 44);
  const dataBytes = out.byteLength - 44;
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  return out;
}

/** `audio/pcm;rate=16000` → 16000; null for compressed formats. */
export function pcmRate(mime: string): number | null {
  const m = /^audio\/pcm;rate=(\d+)$/.exec(mime);
  return m ? Number(m[1]) : null;
}
