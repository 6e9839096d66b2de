/**
 * A microphone the test speaks into when it chooses, instead of a fake-device
 * file that plays on its own clock: real espeak-ng speech, played by the page
 * into a Web Audio MediaStream that `getUserMedia` hands to the room. The room's
 * capture (AudioWorklet or MediaRecorder), voice detection and uplink are the
 * real ones; only the sound source is the test's. A test then waits for the
 * room to listen (an event) and speaks, so a slow machine changes nothing.
 *
 * `recorderOnly` makes the page look like Safari without AudioWorklet PCM:
 * no `audioWorklet`, and MediaRecorder records `audio/mp4` only.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { micTrack, readWav, type TPhrase } from '../helpers/speech-audio.js';

type TMicInit = {
  phrases: Array<{ rate: number; pcm: string }>;
  recorderOnly: boolean;
};

export type TControlledMic = {
  phrases: TPhrase[];
  /** Installs the microphone (and the Safari-like recorder when asked) in every page of `context`. */
  install(context: BrowserContext): Promise<void>;
  /** Plays phrase `i` into the microphone; resolves when it has been said. */
  say(page: Page, i: number): Promise<void>;
};

export function controlledMic(texts: string[], opts: { recorderOnly?: boolean } = {}): TControlledMic {
  const phrases: TPhrase[] = [];
  const init: TMicInit = { phrases: [], recorderOnly: opts.recorderOnly === true };
  for (const text of texts) {
    const track = micTrack([{ say: text }]);
    const pcm = readWav(readFileSync(track.path));
    phrases.push(...track.phrases);
    init.phrases.push({
      rate: pcm.rate,
      pcm: Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength).toString('base64'),
    });
  }
  return {
    phrases,
    install: async (context) => {
      await context.addInitScript(pageMic, init);
    },
    say: (page, i) =>
      page.evaluate((n) => (window as unknown as { micSay(n: number): Promise<void> }).micSay(n), i),
  };
}

/** Runs in the page before its own scripts. */
function pageMic(init: TMicInit): void {
  let ctx: AudioContext | null = null;
  let dest: MediaStreamAudioDestinationNode | null = null;
  const ensure = () => {
    if (!ctx || !dest) {
      ctx = new AudioContext();
      dest = ctx.createMediaStreamDestination();
      // A real microphone's noise floor (about -66 dBFS, far below speech): without it the track
      // carries nothing between phrases, and a MediaRecorder then cuts no chunks in the silences.
      const noise = ctx.createBuffer(1, ctx.sampleRate, ctx.sampleRate);
      const data = noise.getChannelData(0);
      for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 0.0005;
      const floor = ctx.createBufferSource();
      floor.buffer = noise;
      floor.loop = true;
      floor.connect(dest);
      floor.start();
    }
    return { ctx, dest };
  };
  (window as unknown as { micSay(n: number): Promise<void> }).micSay = async (n) => {
    const { ctx, dest } = ensure();
    await ctx.resume();
    const p = init.phrases[n];
    if (!p) throw new Error(`no phrase ${n}`);
    const bytes = Uint8Array.from(atob(p.pcm), (c) => c.charCodeAt(0));
    const samples = new Int16Array(bytes.buffer);
    const buffer = ctx.createBuffer(1, samples.length, p.rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) data[i] = (samples[i] ?? 0) / 32768;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(dest);
    await new Promise<void>((resolve) => {
      source.onended = () => resolve();
      source.start();
    });
  };
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const video = constraints?.video ? await original({ video: constraints.video }) : null;
    if (!constraints?.audio) return video ?? new MediaStream();
    const { ctx, dest } = ensure();
    await ctx.resume();
    return new MediaStream([...(video?.getVideoTracks() ?? []), ...dest.stream.getAudioTracks()]);
  };
  if (init.recorderOnly) {
    Object.defineProperty(BaseAudioContext.prototype, 'audioWorklet', {
      configurable: true,
      get: () => undefined,
    });
    const supported = MediaRecorder.isTypeSupported.bind(MediaRecorder);
    MediaRecorder.isTypeSupported = (type: string) => type.startsWith('audio/mp4') && supported(type);
  }
}
