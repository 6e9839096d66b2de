/**
 * The interview WebSocket: one connection at a time, reconnecting with backoff
 * until told to stop. JSON messages carry the protocol version; audio goes as
 * binary frames. What to resend after a reconnect is the room's business (it
 * knows what the server acknowledged); this module only keeps the line up.
 */
import { uid } from './dom.js';

export type TSocketEvents<TIn> = {
  onOpen(): void;
  onMessage(msg: TIn): void;
  /** The line dropped; `retryInMs` is when the next attempt starts. */
  onDrop(retryInMs: number): void;
};

export class RoomSocket<TIn, TOut extends { type: string }> {
  private ws: WebSocket | null = null;
  private delay = 500;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly version: number,
    private readonly events: TSocketEvents<TIn>,
    private readonly url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/interview/ws`,
  ) {}

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
      this.delay = 500;
      this.events.onOpen();
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
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
      this.delay = Math.min(8000, this.delay * 2);
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

  sendBinary(data: ArrayBuffer | Uint8Array<ArrayBuffer>): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  /** Closes the current connection and connects again at once (used after a server says so). */
  reconnectNow(): void {
    this.delay = 500;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.connect();
  }

  /** No more reconnects: the interview ended, moved to another tab, or the link is not valid. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
