/**
 * AudioWorklet processor (its own bundle, /interview/assets/pcm-worklet.js):
 * turns the microphone into 16 kHz signed 16-bit mono PCM, posted to the page
 * every 100 ms with the chunk's loudness. 16 kHz is what speech-to-text models
 * use, a third of the bytes of 48 kHz; averaging the input samples that fall in
 * each output sample is a low-pass filter good enough for speech.
 */

// The AudioWorkletGlobalScope is not in TypeScript's DOM library.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: new () => unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const OUT_RATE = 16_000;
const CHUNK_SAMPLES = OUT_RATE / 10;

export type TPcmChunk = { pcm: ArrayBuffer; rms: number };

class PcmChunker extends AudioWorkletProcessor {
  private readonly ratio = sampleRate / OUT_RATE;
  private out = new Int16Array(CHUNK_SAMPLES);
  private n = 0;
  private acc = 0;
  private accCount = 0;
  /** Input samples still owed to the current output sample (fractional ratios, e.g. 44.1 kHz). */
  private need = this.ratio;
  private sumSquares = 0;

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    const first = channels?.[0];
    if (!channels || !first) return true;
    for (let i = 0; i < first.length; i++) {
      let x = 0;
      for (const ch of channels) x += ch[i] ?? 0;
      x /= channels.length;
      this.acc += x;
      this.accCount += 1;
      this.need -= 1;
      if (this.need > 0) continue;
      this.need += this.ratio;
      const y = Math.max(-1, Math.min(1, this.acc / this.accCount));
      this.acc = 0;
      this.accCount = 0;
      this.sumSquares += y * y;
      this.out[this.n++] = y < 0 ? y * 0x8000 : y * 0x7fff;
      if (this.n === CHUNK_SAMPLES) {
        const chunk: TPcmChunk = { pcm: this.out.buffer, rms: Math.sqrt(this.sumSquares / CHUNK_SAMPLES) };
        this.port.postMessage(chunk, [this.out.buffer]);
        this.out = new Int16Array(CHUNK_SAMPLES);
        this.n = 0;
        this.sumSquares = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-chunker', PcmChunker);
