/**
 * When has the candidate finished answering? Decided on the server from the
 * audio's voice flags (time since the last voiced chunk, in audio time, so a
 * network stall is never a pause) and the words transcribed so far.
 *
 * - A pause after words that look finished ("…and that is how we shipped it.")
 *   ends the answer after a short wait.
 * - A pause after words that do not ("…and then", "so", "um", a trailing
 *   conjunction, no final punctuation), or while the tail is not transcribed
 *   yet, waits much longer: candidates pause to think mid-sentence.
 * - Both waits scale with the candidate's "pause that ends an answer" setting.
 *   At the default (2.5 s) a finished sentence ends after 1 s, an unfinished one
 *   after 5 s, so a 2 s mid-sentence pause never ends the answer.
 * - No words at all for a long time: a gentle prompt (once), never an end.
 */

/** A pause this long (audio ms) closes a piece of the answer, which is then transcribed. */
export const PIECE_PAUSE_MS = 300;
/** A piece with no pause is cut here anyway, so captions and transcription keep up. */
export const MAX_PIECE_MS = 20_000;
/** Silence before the first word this long brings a gentle prompt. */
export const SILENCE_PROMPT_MS = 20_000;

const UNFINISHED_ENDINGS = new Set([
  'and',
  'but',
  'or',
  'so',
  'because',
  'then',
  'um',
  'uh',
  'er',
  'erm',
  'hmm',
  'like',
  'the',
  'a',
  'an',
  'to',
  'of',
  'with',
  'which',
  'that',
  'if',
  'when',
  'while',
  'although',
  'though',
  'since',
  'for',
  'in',
  'on',
  'at',
  'my',
  'our',
  'we',
  'i',
  'is',
  'was',
  'were',
  'are',
  'also',
  'mean',
  'basically',
  'actually',
  'well',
]);

/** Do these words read like a finished statement? Final punctuation, and no dangling last word. */
export function looksFinished(text: string): boolean {
  const t = text.trim();
  if (t === '') return false;
  // "…", "--" or a trailing comma mean the speaker is mid-thought (whisper writes "and then..." for a trail-off).
  if (/(\.\.\.|…|-|,|;|:)$/.test(t)) return false;
  if (!/[.!?]["')\]]?$/.test(t)) return false;
  const last = /([\p{L}']+)[^\p{L}']*$/u.exec(t)?.[1]?.toLowerCase() ?? '';
  return !UNFINISHED_ENDINGS.has(last);
}

export type TTurnWaits = { finishedMs: number; unfinishedMs: number };

/** How long a pause ends the answer, from the candidate's pause setting (ms). */
export function turnWaits(pauseSettingMs: number): TTurnWaits {
  const p = Math.max(500, pauseSettingMs);
  return {
    finishedMs: Math.round(Math.min(4_000, Math.max(800, p * 0.4))),
    unfinishedMs: Math.round(Math.max(4_000, p * 2)),
  };
}

export type TTurnInput = {
  /** Has any voiced audio arrived in this answer? */
  hasSpeech: boolean;
  /** Audio ms since the last voiced chunk (or since the start, without speech). */
  silenceMs: number;
  /** The words so far; null while the audio before the pause is not transcribed yet. */
  text: string | null;
  pauseSettingMs: number;
  /** Was the gentle prompt already sent for this answer? */
  prompted: boolean;
};

export type TTurnDecision =
  | { action: 'wait' /** audio ms of further silence after which to decide again */; recheckInMs: number }
  | { action: 'end'; finished: boolean }
  | { action: 'prompt' };

export function decideTurn(input: TTurnInput): TTurnDecision {
  if (!input.hasSpeech) {
    if (!input.prompted && input.silenceMs >= SILENCE_PROMPT_MS) return { action: 'prompt' };
    return { action: 'wait', recheckInMs: Math.max(0, SILENCE_PROMPT_MS - input.silenceMs) };
  }
  const waits = turnWaits(input.pauseSettingMs);
  const finished = input.text !== null && looksFinished(input.text);
  const needed = finished ? waits.finishedMs : waits.unfinishedMs;
  if (input.silenceMs >= needed) return { action: 'end', finished };
  return { action: 'wait', recheckInMs: needed - input.silenceMs };
}
