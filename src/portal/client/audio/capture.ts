/**
 * The candidate's microphone: one MediaStream for the whole visit, a Web Audio
 * analyser for the level (the meters, the "we can hear you" check, barge-in and
 * voice-activity marks), and a MediaRecorder that cuts the answer into chunks
 * while the candidate speaks.
 */

import { PCM_MIME } from '../../protocol.js';

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

export type TAudioChunk = {
  bytes: Uint8Array<ArrayBuffer>;
  /** Audio time this chunk covers. */
  durationMs: number;
  /** Loudness of the chunk (RMS, 0 to about 1). */
  rms: number;
};

export type TChunkSource = { readonly mime: string; stop(): void };

export const PCM_CHUNK_MS = 100;
const WORKLET_URL = '/interview/assets/pcm-worklet.js';

/**
 * Cuts the microphone into ~100 ms chunks for as long as the room is open (the
 * room decides which chunks to send). 16 kHz PCM from an AudioWorklet where the
 * browser has one: every span of it is a valid file, so the server transcribes
 * pieces while the candidate speaks. Otherwise MediaRecorder chunks (WebM/Opus,
 * Safari's MP4), which the server accepts too.
 */
export async function startChunks(mic: Microphone, onChunk: (c: TAudioChunk) => void): Promise<TChunkSource> {
  const stream = mic.stream;
  if (!stream || !mic.hasAudio) throw new Error('No microphone');
  const ctx = mic.audioContext;
  if (ctx.audioWorklet) {
    try {
      await ctx.audioWorklet.addModule(WORKLET_URL);
      const node = new AudioWorkletNode(ctx, 'pcm-chunker', { numberOfOutputs: 0 });
      const source = ctx.createMediaStreamSource(new MediaStream(stream.getAudioTracks()));
      source.connect(node);
      node.port.onmessage = (e: MessageEvent<{ pcm: ArrayBuffer; rms: number }>) => {
        onChunk({ bytes: new Uint8Array(e.data.pcm), durationMs: PCM_CHUNK_MS, rms: e.data.rms });
      };
      return {
        mime: PCM_MIME,
        stop: () => {
          node.port.onmessage = null;
          source.disconnect();
        },
      };
    } catch {
      // Fall through to MediaRecorder (an old browser, or the worklet file did not load).
    }
  }
  const mime = pickRecordingMime();
  const recorder = new MediaRecorder(
    new MediaStream(stream.getAudioTracks()),
    mime ? { mimeType: mime } : undefined,
  );
  let last = performance.now();
  // The chunk's loudness is its loudest 20 ms (one reading when the chunk arrives could fall
  // between two words, and the server decides pauses from these flags).
  let loudest = 0;
  const sampler = setInterval(() => {
    loudest = Math.max(loudest, mic.level());
  }, 20);
  // Blob.arrayBuffer() is asynchronous: chain the reads so chunks keep their order.
  let order = Promise.resolve();
  recorder.ondataavailable = (e) => {
    if (e.data.size === 0) return;
    const now = performance.now();
    const durationMs = Math.round(now - last);
    last = now;
    const rms = Math.max(loudest, mic.level());
    loudest = 0;
    order = order.then(async () => {
      onChunk({ bytes: new Uint8Array(await e.data.arrayBuffer()), durationMs, rms });
    });
  };
  recorder.start(PCM_CHUNK_MS);
  return {
    mime: (recorder.mimeType || mime || 'audio/webm').replace(/\s+/g, ''),
    stop: () => {
      clearInterval(sampler);
      if (recorder.state !== 'inactive') recorder.stop();
    },
  };
}
