/**
 * One answer's audio on its way to the server: each chunk becomes a binary
 * frame (protocol.ts) and is kept until the server acknowledges it, so a
 * dropped connection, to this portal process or another, loses nothing: after
 * a reconnect the unacknowledged frames are sent again and the server stores
 * each index once.
 */
import { encodeFrame, FLAG_VOICED, FRAME_AUDIO } from '../../protocol.js';
import type { TAudioChunk } from './capture.js';

export class AnswerUplink {
  private readonly unacked = new Map<number, Uint8Array<ArrayBuffer>>();
  private nextIndex: number;
  private audioMs: number;
  /** Highest index the server has stored. */
  acked: number;

  constructor(
    readonly seq: number,
    readonly mime: string,
    private readonly sendFrame: (frame: Uint8Array<ArrayBuffer>) => boolean,
    /** Where a reloaded page carries on: the server already holds indexes up to `from.upTo`. */
    from: { upTo: number; audioMs: number } = { upTo: -1, audioMs: 0 },
  ) {
    this.nextIndex = from.upTo + 1;
    this.acked = from.upTo;
    this.audioMs = from.audioMs;
  }

  /** Index of the last chunk cut so far (-1 before the first). */
  get lastIndex(): number {
    return this.nextIndex - 1;
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  push(chunk: TAudioChunk, voiced: boolean): void {
    this.audioMs += chunk.durationMs;
    const frame = encodeFrame({
      kind: FRAME_AUDIO,
      flags: voiced ? FLAG_VOICED : 0,
      seq: this.seq,
      index: this.nextIndex,
      ms: Math.round(this.audioMs),
      payload: chunk.bytes,
    }) as Uint8Array<ArrayBuffer>;
    this.unacked.set(this.nextIndex, frame);
    this.nextIndex += 1;
    this.sendFrame(frame);
  }

  ack(upTo: number): void {
    if (upTo <= this.acked) return;
    this.acked = upTo;
    for (const index of this.unacked.keys()) {
      if (index <= upTo) this.unacked.delete(index);
    }
  }

  /** Sends every frame the server has not acknowledged, in order (after a reconnect). */
  resend(): void {
    for (const frame of this.unacked.values()) {
      if (!this.sendFrame(frame)) return;
    }
  }
}
