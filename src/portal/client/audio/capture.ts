/**
 * The candidate's microphone: one MediaStream for the whole visit, a Web Audio
 * analyser for the level (the meters, the "we can hear you" check, barge-in and
 * voice-activity marks), and a MediaRecorder that cuts the answer into chunks
 * while the candidate speaks.
 */

export const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** Level (RMS of the waveform) above which the candidate counts as speaking. */
export const SPEAKING_LEVEL = 0.02;

export class Microphone {
  stream: MediaStream | null = null;
  private ctx: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private buf: Float32Array<ArrayBuffer> | null = null;

  get audioContext(): AudioContext {
    this.ctx = this.ctx ?? new AudioContext();
    return this.ctx;
  }

  get hasAudio(): boolean {
    return (this.stream?.getAudioTracks().length ?? 0) > 0;
  }

  attach(stream: MediaStream): void {
    const ctx = this.audioContext;
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    this.analyser = analyser;
    this.buf = new Float32Array(analyser.fftSize);
  }

  /** The current loudness, 0 (silence) to about 1. */
  level(): number {
    if (!this.analyser || !this.buf) return 0;
    this.analyser.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const x of this.buf) sum += x * x;
    return Math.sqrt(sum / this.buf.length);
  }
}

/** The container this browser records in: Opus in WebM (Chromium, Firefox) or AAC in MP4 (Safari). */
export function pickRecordingMime(): string {
  if (typeof MediaRecorder === 'undefined') return '';
  for (const t of ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']) {
    if (MediaRecorder.isTypeSupported(t)) return t;
  }
  return '';
}

/**
 * Records the answer, handing each timeslice's chunk to `onChunk` as it is cut.
 * Chunks after the first are not playable alone: the server joins them in order.
 */
export class AnswerRecorder {
  private readonly recorder: MediaRecorder;
  private stopped: Promise<void> | null = null;
  readonly startedAt = performance.now();

  constructor(
    stream: MediaStream,
    private readonly onChunk: (chunk: Blob) => void,
  ) {
    const mime = pickRecordingMime();
    this.recorder = new MediaRecorder(
      new MediaStream(stream.getAudioTracks()),
      mime ? { mimeType: mime } : undefined,
    );
    this.recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.onChunk(e.data);
    };
  }

  get mimeType(): string {
    return this.recorder.mimeType || pickRecordingMime() || 'audio/webm';
  }

  get isRecording(): boolean {
    return this.recorder.state === 'recording';
  }

  start(timesliceMs: number): void {
    this.recorder.start(timesliceMs);
  }

  /** Stops and resolves once the last chunk has been handed over. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = new Promise<void>((resolve) => {
      if (this.recorder.state === 'inactive') return resolve();
      this.recorder.addEventListener('stop', () => resolve(), { once: true });
      this.recorder.stop();
    });
    return this.stopped;
  }
}
