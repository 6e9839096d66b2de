/**
 * The binary frames of the interview WebSocket (audio up, speech down): the
 * 12-byte header is documented in src/portal/protocol.ts, which re-exports
 * this. Pure (Uint8Array/DataView), so the browser bundle and the server's
 * services share it.
 */
export const FRAME_HEADER_BYTES = 12;
export const FRAME_AUDIO = 0x01;
export const FRAME_SPEECH = 0x02;
/** Audio flag: the browser heard speech in this chunk. */
export const FLAG_VOICED = 0x01;
/** Speech flag: last frame of the stream. */
export const FLAG_LAST = 0x01;
/** Largest binary frame, header included (the socket refuses bigger ones). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Longest voice answer (audio time); the server ends the answer there. */
export const MAX_ANSWER_AUDIO_MS = 5 * 60_000;

export type TFrame = {
  kind: typeof FRAME_AUDIO | typeof FRAME_SPEECH;
  flags: number;
  seq: number;
  index: number;
  /** Audio: ms of audio at the end of the chunk. Speech: the stream id. */
  ms: number;
  payload: Uint8Array;
};

/** Builds a binary frame (works on Uint8Array, so in the browser and in Node). */
export function encodeFrame(frame: TFrame): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + frame.payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, frame.kind);
  view.setUint8(1, frame.flags & 0xff);
  view.setUint16(2, frame.seq);
  view.setUint32(4, frame.index);
  view.setUint32(8, frame.ms);
  out.set(frame.payload, FRAME_HEADER_BYTES);
  return out;
}

/** Reads a binary frame; null when it is too short or of an unknown kind. The payload is a view, not a copy. */
export function decodeFrame(bytes: Uint8Array): TFrame | null {
  if (bytes.byteLength < FRAME_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  if (kind !== FRAME_AUDIO && kind !== FRAME_SPEECH) return null;
  return {
    kind,
    flags: view.getUint8(1),
    seq: view.getUint16(2),
    index: view.getUint32(4),
    ms: view.getUint32(8),
    payload: bytes.subarray(FRAME_HEADER_BYTES),
  };
}
