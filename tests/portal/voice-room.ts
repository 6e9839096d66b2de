/**
 * A test room over protocol v2: a real `ws` client that speaks to the portal the
 * way the browser does, sending PCM audio as binary frames with the protocol's
 * header (its VOICED flag stands in for the browser's voice detector).
 */
import WebSocket from 'ws';
import {
  decodeFrame,
  encodeFrame,
  FLAG_VOICED,
  FRAME_AUDIO,
  PROTOCOL_VERSION,
  type TFrame,
  type TServerMessage,
} from '../../src/portal/protocol.js';

/** 100 ms of 16 kHz PCM16: a tone when voiced, zeros when not. */
export function pcmChunk(voiced: boolean): Uint8Array {
  const samples = 1600;
  const out = new Uint8Array(samples * 2);
  const v = new DataView(out.buffer);
  if (voiced) for (let i = 0; i < samples; i++) v.setInt16(i * 2, Math.round(Math.sin(i / 5) * 6000), true);
  return out;
}

export type TVoiceRoom = {
  ws: WebSocket;
  inbox: TServerMessage[];
  speech: Array<{ frame: TFrame; at: number }>;
  send(m: Record<string, unknown>): void;
  /** Sends chunk `index` of turn `seq`: 100 ms of audio ending at (index + 1) × 100 ms. */
  audio(seq: number, index: number, voiced: boolean): void;
  /** Waits for a message of that type (and matching `where`) after `from` (an inbox index). */
  next<T extends TServerMessage['type']>(
    type: T,
    opts?: {
      where?: (m: Extract<TServerMessage, { type: T }>) => boolean;
      timeoutMs?: number;
      from?: number;
    },
  ): Promise<Extract<TServerMessage, { type: T }>>;
  close(): Promise<void>;
};

export async function openRoom(base: string, key: string): Promise<TVoiceRoom> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/interview/ws`);
  const inbox: TServerMessage[] = [];
  const speech: Array<{ frame: TFrame; at: number }> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const buf = data as Buffer;
      const frame = decodeFrame(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      if (frame) speech.push({ frame, at: Date.now() });
    } else inbox.push(JSON.parse(data.toString()) as TServerMessage);
    for (const w of waiters) w();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let n = 0;
  const send = (m: Record<string, unknown>) =>
    ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id: `m${++n}`, ...m }));
  send({ type: 'hello', key });
  return {
    ws,
    inbox,
    speech,
    send,
    audio(seq, index, voiced) {
      ws.send(
        encodeFrame({
          kind: FRAME_AUDIO,
          flags: voiced ? FLAG_VOICED : 0,
          seq,
          index,
          ms: (index + 1) * 100,
          payload: pcmChunk(voiced),
        }),
      );
    },
    next(type, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const from = opts.from ?? 0;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = inbox
            .slice(from)
            .find((m) => m.type === type && (!opts.where || opts.where(m as never)));
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found as never);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no ${type} within ${timeoutMs} ms; got: ${inbox
                .slice(from)
                .map((m) => m.type)
                .join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      await new Promise((resolve) => {
        ws.once('close', resolve);
        ws.close();
      });
    },
  };
}
