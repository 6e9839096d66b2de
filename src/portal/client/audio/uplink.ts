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
  /**
   * The server has opened this answer (its `audio_ack` after our `audio_start`): frames go out as
   * they are cut. Until then they are only kept, and go out together when it opens.
   */
  private open = false;

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
    if (this.open) this.sendFrame(frame);
  }

  /** The line dropped, or the server lost track of this answer: hold frames until it opens again. */
  close(): void {
    this.open = false;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The server acknowledged `audio_start` with what it holds: send everything after that. */
  opened(upTo: number): void {
    this.open = true;
    this.ack(upTo);
    this.resend();
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
