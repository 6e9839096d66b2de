/**
 * The interview WebSocket: one connection at a time, reconnecting with backoff
 * until told to stop. JSON messages carry the protocol version; audio goes as
 * binary frames. A ping every 10 s finds a line that died without a close (a
 * laptop lid, a dead Wi-Fi): no message for 25 s and the room reconnects.
 * What to resend after a reconnect is the room's business (it knows what the
 * server acknowledged); this module only keeps the line up.
 */
import { uid } from './dom.js';

export type TSocketEvents<TIn> = {
  onOpen(): void;
  onMessage(msg: TIn): void;
  onBinary(data: ArrayBuffer): void;
  /** The line dropped; `retryInMs` is when the next attempt starts. */
  onDrop(retryInMs: number): void;
};

const PING_MS = 10_000;
const DEAD_AFTER_MS = 25_000;

export class RoomSocket<TIn, TOut extends { type: string }> {
  private ws: WebSocket | null = null;
  private delay = 250;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = performance.now();
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly version: number,
    private readonly events: TSocketEvents<TIn>,
    private readonly url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/interview/ws`,
  ) {
    this.heartbeat = setInterval(() => {
      if (!this.isOpen) return;
      if (performance.now() - this.lastHeard > DEAD_AFTER_MS) this.reconnectNow();
      else this.send({ type: 'ping' } as TOut);
    }, PING_MS);
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.delay = 250;
      this.lastHeard = performance.now();
      this.events.onOpen();
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      if (this.ws !== ws) return;
      this.lastHeard = performance.now();
      if (e.data instanceof ArrayBuffer) return this.events.onBinary(e.data);
      if (typeof e.data !== 'string') return;
      let msg: TIn;
      try {
        msg = JSON.parse(e.data) as TIn;
      } catch {
        return;
      }
      this.events.onMessage(msg);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      const wait = this.delay;
      this.delay = Math.min(2000, this.delay * 2);
      this.timer = setTimeout(() => this.connect(), wait);
      this.events.onDrop(wait);
    });
  }

  /** Sends a message if the line is up; returns whether it left. */
  send(msg: TOut): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ v: this.version, id: uid(), ...msg }));
    return true;
  }

  sendBinary(data: Uint8Array<ArrayBuffer>): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  /** Drops the current connection and connects again at once. */
  reconnectNow(): void {
    this.delay = 250;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    if (ws) this.events.onDrop(0);
    this.connect();
  }

  /** No more reconnects: the interview moved to another tab, the link is not valid, or the page is too old. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }

  /** The interview ended: no reconnects, but keep the line a moment for the closing words' speech. */
  stopAfter(ms: number): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    setTimeout(() => this.stop(), ms);
  }
}
