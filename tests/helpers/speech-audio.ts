/**
 * Real speech for the fake microphone, and a transcriber for the test model
 * server that can tell whether it got the whole answer.
 *
 * `micTrack` writes one WAV that Chromium plays once (`%noloop`) from the
 * moment the page opens the microphone: phrases spoken by espeak-ng, with the
 * silences a test needs between them. `phraseTranscriber` stands in for a
 * speech-to-text model: it finds the stretches of speech in the audio it is
 * sent and names each one by its length (each phrase of a track has its own),
 * so an answer that lost audio on the way, or was cut in two, reads
 * differently from the one spoken.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TPcm = { rate: number; samples: Int16Array };

/** Reads a 16-bit PCM WAV (mono, or the first channel). */
export function readWav(bytes: Uint8Array): TPcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let at = 12;
  let rate = 16_000;
  let channels = 1;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(at + 10, true);
      rate = view.getUint32(at + 12, true);
    } else if (id === 'data') {
      const end = Math.min(bytes.byteLength, at + 8 + size);
      const frames = Math.floor((end - at - 8) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(at + 8 + i * 2 * channels, true);
      return { rate, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV file without data');
}

export function wavBytes(pcm: TPcm): Buffer {
  const data = Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(pcm.rate, 24);
  header.writeUInt32LE(pcm.rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * Stretches of speech, in ms: 20 ms frames louder than a floor relative to the
 * loudest frame, joined across gaps shorter than `joinMs` (the breaks between words).
 */
export function speechRuns(pcm: TPcm, joinMs = 350): Array<{ startMs: number; ms: number }> {
  const frame = Math.round(pcm.rate / 50);
  const levels: number[] = [];
  for (let i = 0; i + frame <= pcm.samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += (pcm.samples[j] ?? 0) ** 2;
    levels.push(Math.sqrt(sum / frame));
  }
  const floor = Math.max(200, Math.max(0, ...levels) * 0.08);
  const runs: Array<{ startMs: number; ms: number }> = [];
  let start = -1;
  let lastLoud = -1;
  levels.forEach((level, i) => {
    if (level < floor) return;
    if (start >= 0 && (i - lastLoud - 1) * 20 < joinMs) {
      lastLoud = i;
      return;
    }
    if (start >= 0) runs.push({ startMs: start * 20, ms: (lastLoud - start + 1) * 20 });
    start = i;
    lastLoud = i;
  });
  if (start >= 0) runs.push({ startMs: start * 20, ms: (lastLoud - start + 1) * 20 });
  return runs;
}

export type TPhrase = { text: string; ms: number };
export type TTrackPart = { say: string } | { silenceMs: number };
export type TTrack = {
  /** For `--use-file-for-fake-audio-capture` (ends in `%noloop`: played once). */
  micArg: string;
  path: string;
  phrases: TPhrase[];
  /** Where each phrase starts in the track (ms from when the page opens the microphone). */
  startsMs: number[];
};

function speak(text: string, dir: string): TPcm {
  const file = join(dir, 'phrase.wav');
  execFileSync('espeak-ng', ['-s', '150', '-w', file, text], { timeout: 10_000 });
  return readWav(readFileSync(file));
}

/** Builds the microphone's track from spoken phrases and silences. */
export function micTrack(parts: TTrackPart[]): TTrack {
  const dir = mkdtempSync(join(tmpdir(), 'panelist-mic-'));
  const rate = 22_050;
  const pieces: Int16Array[] = [];
  const phrases: TPhrase[] = [];
  const startsMs: number[] = [];
  let total = 0;
  for (const part of parts) {
    if ('silenceMs' in part) {
      const n = Math.round((part.silenceMs / 1000) * rate);
      pieces.push(new Int16Array(n));
      total += n;
      continue;
    }
    const pcm = speak(part.say, dir);
    if (pcm.rate !== rate) throw new Error(`espeak-ng wrote ${pcm.rate} Hz, expected ${rate}`);
    const runs = speechRuns(pcm);
    const first = runs[0];
    const last = runs[runs.length - 1];
    if (!first || !last) throw new Error(`espeak-ng said nothing for "${part.say}"`);
    // Only the spoken part: the track's silences are the ones the test asks for.
    const from = Math.round((first.startMs / 1000) * rate);
    const to = Math.round(((last.startMs + last.ms) / 1000) * rate);
    startsMs.push(Math.round((total / rate) * 1000));
    pieces.push(pcm.samples.subarray(from, to));
    total += to - from;
    phrases.push({ text: part.say, ms: last.startMs + last.ms - first.startMs });
  }
  const samples = new Int16Array(total);
  let at = 0;
  for (const p of pieces) {
    samples.set(p, at);
    at += p.length;
  }
  const path = join(dir, 'mic.wav');
  writeFileSync(path, wavBytes({ rate, samples }));
  return { micArg: `${path}%noloop`, path, phrases, startsMs };
}

/**
 * A transcription handler that names each stretch of speech in the audio by the
 * phrase of that length (±30 %, and closer to it than to any other); a stretch
 * that matches none is "(unclear N ms)". Audio that is not WAV is "(not wav)".
 */
export function phraseTranscriber(
  phrases: TPhrase[],
  log: string[] = [],
): (req: { audio: Buffer }) => string {
  return ({ audio }) => {
    let pcm: TPcm;
    try {
      pcm = readWav(audio);
    } catch {
      log.push('(not wav)');
      return '(not wav)';
    }
    const words = speechRuns(pcm).map((run) => {
      const best = [...phrases].sort((a, b) => Math.abs(a.ms - run.ms) - Math.abs(b.ms - run.ms))[0];
      return best && Math.abs(best.ms - run.ms) <= best.ms * 0.3 ? best.text : `(unclear ${run.ms} ms)`;
    });
    const text = words.join(' ');
    log.push(text);
    return text;
  };
}
