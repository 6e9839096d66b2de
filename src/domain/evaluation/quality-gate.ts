/**
 * The transcript-quality gate: decides, before any model call, what the transcript can
 * support (too little speech, garbled transcription, questions never reached). Pure.
 */
import { endedClause, tallyTranscript } from '../interview-end.js';
import type { TCompetency } from './rubric.js';
import type { TTranscript, TTranscriptTurn } from './transcript.js';

/** Fewer candidate words than this in the whole interview: nothing can be scored. */
const MIN_TOTAL_WORDS = 40;
/** Fewer candidate words than this about one competency: that competency is not scored. */
const MIN_COMPETENCY_WORDS = 15;

const GARBLE_MARKERS = /\[(inaudible|unintelligible|noise|music|silence|blank_audio)\]|\(inaudible\)/gi;

function countWords(text: string): number {
  const m = text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu);
  return m ? m.length : 0;
}

/**
 * True when a transcribed answer is mostly noise: speech-to-text markers such as
 * "[inaudible]", runs of one repeated token, or text with few letters.
 */
export function isGarbled(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return false;
  const markers = trimmed.match(GARBLE_MARKERS)?.length ?? 0;
  const withoutMarkers = trimmed.replace(GARBLE_MARKERS, ' ');
  const words = withoutMarkers.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  if (markers > 0 && markers >= words.length / 4) return true;
  const letters = (withoutMarkers.match(/\p{L}/gu) ?? []).length;
  const visible = withoutMarkers.replace(/\s+/g, '').length;
  if (visible >= 10 && letters / visible < 0.5) return true;
  if (words.length >= 6) {
    // One token repeated over and over ("the the the…", "uh uh uh…") is a transcription loop.
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w.toLowerCase(), (counts.get(w.toLowerCase()) ?? 0) + 1);
    if (Math.max(...counts.values()) / words.length > 0.5) return true;
  }
  return false;
}

export type TQualityReport = {
  candidateWords: number;
  questionsAsked: number;
  questionsAnswered: number;
  emptyAnswers: number;
  garbledAnswers: number;
  isCutShort: boolean;
  /**
   * How a cut-short interview ended, for the hiring team ("ended early after 1 of 3 questions");
   * absent when every planned question was answered, and on results stored before it existed.
   */
  ended?: string;
  /** Reasons nothing at all can be scored; empty when the interview can be evaluated. */
  blockers: string[];
  /** Per competency key: why it cannot be scored (absent when it can). */
  insufficient: Record<string, string>;
};

/**
 * Decides, before any model call, what the transcript can support. A competency gets
 * "insufficient evidence" (with the reason) when it was never reached because the
 * interview was cut short, when its answers are empty or garbled, or when the candidate
 * said too little about it; the whole interview when there is too little candidate speech
 * overall or most answers are empty or garbled.
 */
export function assessTranscript(
  transcript: TTranscript,
  competencies: readonly TCompetency[],
): TQualityReport {
  const turns = transcript.turns;
  const main = turns.filter((t) => !t.isFollowUp);
  const usable = (t: TTranscriptTurn) => t.answer !== null && t.answer.trim() !== '' && !isGarbled(t.answer);
  const emptyAnswers = turns.filter((t) => t.answer === null || t.answer.trim() === '').length;
  const garbledAnswers = turns.filter((t) => t.answer !== null && isGarbled(t.answer)).length;
  const candidateWords = turns.filter(usable).reduce((n, t) => n + countWords(t.answer ?? ''), 0);
  const questionsAnswered = main.filter(
    (t) => usable(t) || turns.some((f) => f.isFollowUp && usable(f) && sameQuestion(f, t)),
  ).length;
  const planned = transcript.plannedQuestions ?? main.length;
  // The candidate ending the interview early is stored as `finished` too: the count tells.
  const isCutShort =
    transcript.endReason !== null && (main.length < planned || main.some((t) => t.answer === null));

  const blockers: string[] = [];
  if (turns.length === 0) blockers.push('The candidate answered no questions.');
  else {
    if (candidateWords < MIN_TOTAL_WORDS)
      blockers.push(
        `Too little candidate speech to judge: ${candidateWords} usable words in the whole interview (at least ${MIN_TOTAL_WORDS} needed).`,
      );
    if (turns.length >= 2 && (emptyAnswers + garbledAnswers) / turns.length > 0.5)
      blockers.push(
        `Most answers are empty or garbled (${emptyAnswers} empty, ${garbledAnswers} garbled of ${turns.length}): the transcription may have failed.`,
      );
  }

  const insufficient: Record<string, string> = {};
  for (const c of competencies) {
    if (blockers.length > 0) {
      insufficient[c.key] = blockers[0] ?? 'Not enough evidence.';
      continue;
    }
    const mine = turns.filter((t) => t.competency === c.key);
    if (mine.length === 0) {
      // Turns without a competency are general evidence; with none, the model judges from the whole interview.
      if (turns.some((t) => t.competency === null)) continue;
      insufficient[c.key] = isCutShort
        ? 'The interview ended before a question on this was asked.'
        : 'No question on this was asked.';
      continue;
    }
    const words = mine.filter(usable).reduce((n, t) => n + countWords(t.answer ?? ''), 0);
    if (words >= MIN_COMPETENCY_WORDS) continue;
    const garbled = mine.filter((t) => t.answer !== null && isGarbled(t.answer)).length;
    const unanswered = mine.filter((t) => t.answer === null).length;
    insufficient[c.key] =
      garbled > 0
        ? 'The answers on this were garbled in transcription.'
        : unanswered === mine.length && isCutShort
          ? 'The interview ended before this question was answered.'
          : `The candidate said too little on this (${words} words).`;
  }
  return {
    candidateWords,
    questionsAsked: main.length,
    questionsAnswered,
    emptyAnswers,
    garbledAnswers,
    isCutShort,
    ...(isCutShort ? { ended: endedClause(transcript.endReason, tallyTranscript(transcript)) } : {}),
    blockers,
    insufficient,
  };
}

function sameQuestion(followUp: TTranscriptTurn, main: TTranscriptTurn): boolean {
  return followUp.competency === main.competency && followUp.seq > main.seq;
}
