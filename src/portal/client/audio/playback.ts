/**
 * The interviewer's voice. Server speech arrives as a stream of binary frames
 * and plays as it arrives: raw PCM through Web Audio (scheduled back to back),
 * MP3/Opus through MediaSource, anything else once whole. When the server has
 * no speech, the browser's own speech synthesis reads the text. Whatever plays
 * can be stopped at once (barge-in): `stop()` silences it in the same task.
 */

export type TPlayHandlers = {
  /** Sound actually started (the first audio is playing). */
  onStart(): void;
  /** Played to the end, or stopped (`stopped: true`), or gave up. Called once. */
  onEnd(stopped: boolean): void;
};

type TSink = {
  push(bytes: Uint8Array<ArrayBuffer>): void;
  /** No more bytes will come. */
  end(): void;
  stop(): void;
};

type TSinkEvents = { onStart(): void; onEnded(): void; onError(): void };

/** PCM (`audio/pcm;rate=24000`, signed 16-bit little-endian mono): each frame scheduled right after the last. */
class PcmSink implements TSink {
  private readonly rate: number;
  private nextAt = 0;
  private carry: number | null = null;
  private readonly sources = new Set<AudioBufferSourceNode>();
  private ended = false;
  private started = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ctx: AudioContext,
    mime: string,
    private readonly ev: TSinkEvents,
  ) {
    this.rate = Number(/rate=(\d+)/.exec(mime)?.[1] ?? 24_000);
  }

  push(bytes: Uint8Array<ArrayBuffer>): void {
    let data = bytes;
    if (this.carry !== null) {
      const joined = new Uint8Array(bytes.byteLength + 1);
      joined[0] = this.carry;
      joined.set(bytes, 1);
      data = joined;
      this.carry = null;
    }
    if (data.byteLength % 2 === 1) {
      this.carry = data[data.byteLength - 1] ?? 0;
      data = data.subarray(0, data.byteLength - 1);
    }
    const samples = data.byteLength / 2;
    if (samples === 0) return;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const buffer = this.ctx.createBuffer(1, samples, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples; i++) channel[i] = view.getInt16(i * 2, true) / 0x8000;
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    const at = Math.max(this.ctx.currentTime + 0.01, this.nextAt);
    source.start(at);
    this.nextAt = at + buffer.duration;
    this.sources.add(source);
    source.onended = () => {
      this.sources.delete(source);
      if (this.ended && this.sources.size === 0) this.ev.onEnded();
    };
    if (!this.started) {
      this.started = true;
      this.startTimer = setTimeout(() => this.ev.onStart(), Math.max(0, (at - this.ctx.currentTime) * 1000));
    }
  }

  end(): void {
    this.ended = true;
    if (this.sources.size === 0) this.ev.onEnded();
  }

  stop(): void {
    clearTimeout(this.startTimer);
    for (const s of this.sources) {
      s.onended = null;
      s.stop();
    }
    this.sources.clear();
  }
}

/** MP3 or Opus through MediaSource: plays from the first frame. */
class MediaSourceSink implements TSink {
  private readonly audio = new Audio();
  private readonly ms = new MediaSource();
  private buffer: SourceBuffer | null = null;
  private readonly queue: Uint8Array<ArrayBuffer>[] = [];
  private ended = false;
  private readonly url: string;

  constructor(
    private readonly mime: string,
    private readonly ev: TSinkEvents,
  ) {
    this.url = URL.createObjectURL(this.ms);
    this.audio.src = this.url;
    this.ms.addEventListener(
      'sourceopen',
      () => {
        try {
          this.buffer = this.ms.addSourceBuffer(this.mime);
          this.buffer.mode = 'sequence';
          this.buffer.addEventListener('updateend', () => this.pump());
          this.pump();
        } catch {
          this.ev.onError();
        }
      },
      { once: true },
    );
    this.audio.addEventListener('playing', () => this.ev.onStart(), { once: true });
    this.audio.addEventListener('ended', () => this.ev.onEnded(), { once: true });
    this.audio.addEventListener('error', () => this.ev.onError(), { once: true });
    this.audio.play().catch(() => this.ev.onError());
  }

  private pump(): void {
    const b = this.buffer;
    if (!b || b.updating || this.ms.readyState !== 'open') return;
    const next = this.queue.shift();
    if (next) {
      try {
        b.appendBuffer(next);
      } catch {
        this.ev.onError();
      }
      return;
    }
    if (this.ended) this.ms.endOfStream();
  }

  push(bytes: Uint8Array<ArrayBuffer>): void {
    this.queue.push(bytes);
    this.pump();
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  stop(): void {
    this.audio.pause();
    this.audio.removeAttribute('src');
    URL.revokeObjectURL(this.url);
  }
}

/** Anything else (WAV, or MediaSource missing): collected, then played whole. */
class WholeFileSink implements TSink {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];
  private audio: HTMLAudioElement | null = null;
  private url = '';

  constructor(
    private readonly mime: string,
    private readonly ev: TSinkEvents,
  ) {}

  push(bytes: Uint8Array<ArrayBuffer>): void {
    this.parts.push(bytes);
  }

  end(): void {
    this.url = URL.createObjectURL(new Blob(this.parts, { type: this.mime }));
    const audio = new Audio(this.url);
    this.audio = audio;
    audio.addEventListener('playing', () => this.ev.onStart(), { once: true });
    audio.addEventListener('ended', () => this.ev.onEnded(), { once: true });
    audio.addEventListener('error', () => this.ev.onError(), { once: true });
    audio.play().catch(() => this.ev.onError());
  }

  stop(): void {
    this.audio?.pause();
    if (this.url) URL.revokeObjectURL(this.url);
  }
}

function canStream(mime: string): boolean {
  return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(mime);
}

type TCurrent = {
  stream: number | null;
  startedAt: number | null;
  sink: TSink | null;
  stop(): void;
};

export class Speaker {
  private current: TCurrent | null = null;

  constructor(private readonly audioContext: () => AudioContext) {}

  /** Something is playing, or about to (a stream that has begun). */
  get isActive(): boolean {
    return this.current !== null;
  }

  /** Sound is coming out right now. */
  get isAudible(): boolean {
    return this.current?.startedAt != null;
  }

  /** Milliseconds of the current speech played so far. */
  get playedMs(): number {
    const at = this.current?.startedAt;
    return at == null ? 0 : Math.round(performance.now() - at);
  }

  /** Stops whatever is playing now; its onEnd gets `stopped: true`. */
  stop(): void {
    const c = this.current;
    this.current = null;
    c?.stop();
  }

  /** A server speech stream begins; its frames follow (`push`), then `end`. Falls back to `fallbackText`. */
  begin(stream: number, mime: string, fallbackText: string, h: TPlayHandlers): void {
    this.stop();
    const done = once((stopped: boolean) => {
      if (this.current === cur) this.current = null;
      h.onEnd(stopped);
    });
    const cur: TCurrent = {
      stream,
      startedAt: null,
      sink: null,
      stop: () => {
        cur.sink?.stop();
        done(true);
      },
    };
    const ev: TSinkEvents = {
      onStart: () => {
        if (this.current !== cur || cur.startedAt !== null) return;
        cur.startedAt = performance.now();
        h.onStart();
      },
      onEnded: () => {
        if (this.current === cur) done(false);
      },
      onError: () => {
        if (this.current !== cur) return;
        cur.sink?.stop();
        if (cur.startedAt !== null) return done(false);
        // Nothing played yet: the browser reads the words instead.
        this.current = null;
        this.speakText(fallbackText, h);
      },
    };
    this.current = cur;
    const base = mime.split(';')[0]?.trim().toLowerCase() ?? '';
    if (base === 'audio/pcm' || base === 'audio/l16') cur.sink = new PcmSink(this.audioContext(), mime, ev);
    else if (canStream(mime)) cur.sink = new MediaSourceSink(mime, ev);
    else cur.sink = new WholeFileSink(mime, ev);
  }

  push(stream: number, bytes: Uint8Array<ArrayBuffer>): void {
    if (this.current?.stream === stream) this.current.sink?.push(bytes);
  }

  end(stream: number): void {
    if (this.current?.stream === stream) this.current.sink?.end();
  }

  isPlayingStream(stream: number): boolean {
    return this.current?.stream === stream;
  }

  /** Reads `text` with the browser's own speech; never gets stuck if the browser has no voices. */
  speakText(text: string, h: TPlayHandlers): void {
    this.stop();
    const start = () => {
      if (cur.startedAt === null) {
        cur.startedAt = performance.now();
        h.onStart();
      }
    };
    const done = once((stopped: boolean) => {
      clearTimeout(guard);
      if (this.current === cur) this.current = null;
      start();
      h.onEnd(stopped);
    });
    const cur: TCurrent = {
      stream: null,
      startedAt: null,
      sink: null,
      stop: () => {
        if ('speechSynthesis' in window) speechSynthesis.cancel();
        done(true);
      },
    };
    this.current = cur;
    // Some browsers never start or end an utterance (no voices installed): the guard ends it.
    const guard = setTimeout(() => done(false), Math.min(30_000, 1500 + text.length * 80));
    if (!('speechSynthesis' in window) || !text) {
      done(false);
      return;
    }
    const u = new SpeechSynthesisUtterance(text);
    u.onstart = start;
    u.onend = () => done(false);
    u.onerror = () => done(false);
    speechSynthesis.cancel();
    speechSynthesis.speak(u);
  }
}

function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}
