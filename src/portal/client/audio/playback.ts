/**
 * The interviewer's voice: audio the server sends (whole, or streamed in
 * chunks) and, when the server has none, the browser's own speech synthesis.
 * Everything here can be stopped at once (barge-in, the candidate pressing Done).
 */

export type TPlayHandlers = {
  /** Sound actually started (the first audio frame is playing). */
  onStart(): void;
  /** Played to the end, or gave up (never both; never twice). */
  onEnd(stopped: boolean): void;
};

export class Speaker {
  private current: { stop(): void } | null = null;

  get isSpeaking(): boolean {
    return this.current !== null;
  }

  /** Stops whatever is playing now; its onEnd gets `stopped: true`. */
  stop(): void {
    const c = this.current;
    this.current = null;
    c?.stop();
  }

  /** Plays a whole audio file; falls back to the browser's voice reading `fallbackText`. */
  playFile(bytes: Uint8Array<ArrayBuffer>, mime: string, fallbackText: string, h: TPlayHandlers): void {
    this.stop();
    const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
    const audio = new Audio(url);
    const done = once((stopped: boolean) => {
      URL.revokeObjectURL(url);
      if (this.current === handle) this.current = null;
      h.onEnd(stopped);
    });
    const handle = {
      stop: () => {
        audio.pause();
        done(true);
      },
    };
    this.current = handle;
    audio.addEventListener('playing', () => h.onStart(), { once: true });
    audio.addEventListener('ended', () => done(false), { once: true });
    const fallback = () => {
      if (this.current !== handle) return;
      this.current = null;
      URL.revokeObjectURL(url);
      this.speakText(fallbackText, h);
    };
    audio.addEventListener('error', fallback, { once: true });
    audio.play().catch(fallback);
  }

  /** Reads `text` with the browser's own speech; never gets stuck if the browser has no voices. */
  speakText(text: string, h: TPlayHandlers): void {
    this.stop();
    let started = false;
    const start = () => {
      if (!started) {
        started = true;
        h.onStart();
      }
    };
    const done = once((stopped: boolean) => {
      clearTimeout(guard);
      if (this.current === handle) this.current = null;
      start();
      h.onEnd(stopped);
    });
    const handle = {
      stop: () => {
        if ('speechSynthesis' in window) speechSynthesis.cancel();
        done(true);
      },
    };
    // Some browsers never start or end an utterance (no voices installed).
    const guard = setTimeout(() => done(false), Math.min(30_000, 1500 + text.length * 80));
    this.current = handle;
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
