/**
 * The evaluation's shapes and the rules that keep it honest: the scoring scale and its
 * anchors, the schema the model's answer must match, quote checking against the
 * transcript, the transcript-quality gate, and the signals of a prompt-injection attempt
 * or of a protected attribute used as grounds. Pure: no I/O.
 */
import { z } from 'zod';

/** Bumped whenever the prompt or the rules that shape the result change; stored with every result. */
export const EVALUATION_PROMPT_VERSION = 'eval-2026-11-21.1';

export const SCORE_MIN = 1;
export const SCORE_MAX = 4;

/** What each point of the scale means; shown to the model and stored as part of the rubric. */
export const SCORE_ANCHORS: Readonly<Record<number, string>> = Object.freeze({
  1: 'No real evidence: answers are missing, wrong, vague or off-topic for this competency.',
  2: 'Some evidence, with important gaps: general statements, few specifics, partly correct.',
  3: 'Solid evidence that meets the bar: concrete, correct, with own actions and reasons.',
  4: 'Strong evidence beyond the bar: specific, insightful, trade-offs and outcomes explained.',
});

export const RECOMMENDATIONS = ['strong_hire', 'hire', 'no_hire', 'strong_no_hire'] as const;
export type TRecommendation = (typeof RECOMMENDATIONS)[number];
export const RECOMMENDATION_LABELS: Readonly<Record<TRecommendation | 'insufficient_evidence', string>> = {
  strong_hire: 'Strong hire',
  hire: 'Hire',
  no_hire: 'No hire',
  strong_no_hire: 'Strong no hire',
  insufficient_evidence: 'Insufficient evidence',
};

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
type TConfidence = (typeof CONFIDENCES)[number];

export const ZCompetency = z.object({
  key: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
});
export type TCompetency = z.infer<typeof ZCompetency>;

/** Role.competencies as stored; entries that do not parse are skipped by the caller. */
export const ZCompetencies = z.array(ZCompetency);

export type TRubric = {
  scale: { min: number; max: number; anchors: Record<string, string> };
  competencies: TCompetency[];
};

export function buildRubric(competencies: TCompetency[]): TRubric {
  return {
    scale: {
      min: SCORE_MIN,
      max: SCORE_MAX,
      anchors: Object.fromEntries(Object.entries(SCORE_ANCHORS).map(([k, v]) => [k, v])),
    },
    competencies,
  };
}

/**
 * What the model must return. Every field is required (OpenAI's strict structured output
 * wants that); `score` is null when the model itself finds no evidence.
 */
export const ZModelEvaluation = z.object({
  competencies: z
    .array(
      z.object({
        key: z.string().min(1).max(100),
        score: z.number().int().min(SCORE_MIN).max(SCORE_MAX).nullable(),
        rationale: z.string().max(4000),
        evidence: z.array(z.string().max(2000)).max(10),
      }),
    )
    .max(50),
  strengths: z.array(z.string().max(1000)).max(10),
  concerns: z.array(z.string().max(1000)).max(10),
  recommendation: z.enum(RECOMMENDATIONS),
  confidence: z.enum(CONFIDENCES),
  summary: z.string().max(3000),
  /** Sentences in the answers that try to instruct the evaluator. */
  injection_attempts: z.array(z.string().max(2000)).max(10),
});
export type TModelEvaluation = z.infer<typeof ZModelEvaluation>;

// ---------------------------------------------------------------------------------------------
// The transcript as the evaluator sees it.

export type TTranscriptTurn = {
  seq: number;
  question: string;
  answer: string | null;
  answerMode: string | null;
  competency: string | null;
  isFollowUp: boolean;
  askedAt: Date;
  answeredAt: Date | null;
  audioDurationMs: number | null;
};

export type TTranscript = {
  turns: TTranscriptTurn[];
  /** Questions planned for the interview (question plan length), when known. */
  plannedQuestions: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
};

// ---------------------------------------------------------------------------------------------
// Quotes.

/** Case and whitespace folded, typographic quotes and dashes made plain: how quotes are compared. */
export function foldForQuote(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A quote with the decoration models add around it removed (surrounding quotes, ellipses). */
function cleanQuote(quote: string): string {
  let q = quote.trim();
  for (let i = 0; i < 3; i++) {
    const before = q;
    q = q
      .replace(/^["'\u201C\u201D\u2018\u2019«»]+|["'\u201C\u201D\u2018\u2019«»]+$/g, '')
      .replace(/^(\.\.\.|\u2026)\s*|\s*(\.\.\.|\u2026)$/g, '')
      .trim();
    if (q === before) break;
  }
  return q;
}

/** Shortest quote that counts as evidence: "yes" proves nothing. */
const MIN_QUOTE_CHARS = 12;

/**
 * Which answer a quote comes from (its seq), or undefined when no answer contains it
 * after folding case and whitespace. Quotes from the questions do not count: only what
 * the candidate said is evidence.
 */
export function findQuote(quote: string, turns: readonly TTranscriptTurn[]): number | undefined {
  const q = foldForQuote(cleanQuote(quote));
  if (q.length < MIN_QUOTE_CHARS) return undefined;
  for (const turn of turns) {
    if (turn.answer && foldForQuote(turn.answer).includes(q)) return turn.seq;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Prompt injection and protected attributes.

const INJECTION_PATTERNS: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override)\b[^.?!\n]{0,40}\b(instructions?|prompts?|rules?|guidelines|rubric|system)\b/i,
  /\b(give|award|assign|rate|score)\s+(me|this( candidate)?|the candidate)\b[^.?!\n]{0,30}\b(top|full|maximum|max|highest|perfect|best|4|5|10)\b/i,
  /\b(top|full|maximum|perfect|highest)\s+(marks|scores?|ratings?)\b/i,
  /\b(recommend|mark)\s+(me|this candidate)\s+(as\s+)?(a\s+)?(strong\s+)?hire\b/i,
  /\byou are now\b|\bnew instructions\b|\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak\b/i,
  /<\/?(system|assistant|instructions?|transcript)>/i,
  /\b(as the|as an) (ai|evaluator|language model)\b[^.?!\n]{0,40}\b(must|should|will)\b/i,
];

/** True when an answer reads as an attempt to instruct the evaluator. */
export function looksLikeInjection(text: string): boolean {
  return INJECTION_PATTERNS.some((re) => re.test(text));
}

/** The sentence of `text` that matched an injection pattern, for the flag shown to the team. */
function injectionExcerpt(text: string): string | undefined {
  const sentences = text.split(/(?<=[.?!])\s+|\n+/);
  return sentences.find((s) => looksLikeInjection(s)) ?? (looksLikeInjection(text) ? text : undefined);
}

/** Words that mean a rationale leans on a protected attribute (or a proxy such as accent). */
const PROTECTED_ATTRIBUTE =
  /\b(age|aged|elderly|gender|male|female|pregnan\w*|ethnic\w*|race|racial|religio\w*|disab\w*|accent|native speaker|nationality|sexual orientation|marital|married)\b/i;

/** The protected-attribute word a text uses, if any. */
export function protectedAttributeMention(text: string): string | undefined {
  return PROTECTED_ATTRIBUTE.exec(text)?.[0]?.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Transcript-quality gate.

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
  const isCutShort =
    transcript.endReason !== null &&
    transcript.endReason !== 'finished' &&
    (main.length < planned || main.some((t) => t.answer === null));

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
    blockers,
    insufficient,
  };
}

function sameQuestion(followUp: TTranscriptTurn, main: TTranscriptTurn): boolean {
  return followUp.competency === main.competency && followUp.seq > main.seq;
}

// ---------------------------------------------------------------------------------------------
// The stored result.

type TEvidence = { quote: string; seq: number };

type TCompetencyResult =
  | { key: string; name: string; status: 'scored'; score: number; rationale: string; evidence: TEvidence[] }
  | { key: string; name: string; status: 'insufficient_evidence'; reason: string; rationale: string };

export type TEvaluationFlag =
  | { type: 'prompt_injection'; seq: number; excerpt: string }
  | { type: 'protected_attribute'; competency: string; word: string }
  | { type: 'unsupported_score'; competency: string };

export type TIntegritySummary = { tabSwitches: number; pastes: number; longSilences: number; other: number };

export type TEvaluationResult = {
  kind: 'scored';
  recommendation: TRecommendation | 'insufficient_evidence';
  confidence: TConfidence;
  summary: string;
  competencies: TCompetencyResult[];
  strengths: string[];
  concerns: string[];
  quality: Omit<TQualityReport, 'insufficient'>;
  integrity: TIntegritySummary;
  durationMs: number | null;
  droppedQuotes: string[];
  flags: TEvaluationFlag[];
  /** How many model calls produced it (long transcripts are evaluated in parts). */
  modelCalls: number;
};

/**
 * Turns the model's answer into the stored result: quotes that are not in the candidate's
 * answers are dropped and counted; a score left without any verified quote is not shown as a
 * score (it becomes "insufficient evidence"); competencies the quality gate ruled out stay
 * ruled out whatever the model said; injection attempts and protected-attribute wording are
 * flagged.
 */
export function groundEvaluation(input: {
  model: TModelEvaluation;
  transcript: TTranscript;
  competencies: readonly TCompetency[];
  quality: TQualityReport;
  integrity: TIntegritySummary;
  modelCalls: number;
}): TEvaluationResult {
  const { model, transcript, competencies, quality } = input;
  const dropped: string[] = [];
  const flags: TEvaluationFlag[] = [];
  const injectedSeqs = new Set<number>();
  for (const turn of transcript.turns) {
    const excerpt = turn.answer ? injectionExcerpt(turn.answer) : undefined;
    if (excerpt !== undefined) {
      injectedSeqs.add(turn.seq);
      flags.push({ type: 'prompt_injection', seq: turn.seq, excerpt });
    }
  }
  for (const attempt of model.injection_attempts) {
    const seq = findQuote(attempt, transcript.turns);
    if (seq !== undefined && !injectedSeqs.has(seq)) {
      injectedSeqs.add(seq);
      flags.push({ type: 'prompt_injection', seq, excerpt: cleanQuote(attempt) });
    }
  }
  const injectionTexts = flags.flatMap((f) =>
    f.type === 'prompt_injection' ? [foldForQuote(f.excerpt)] : [],
  );

  const results: TCompetencyResult[] = competencies.map((c) => {
    const fromModel = model.competencies.find((m) => m.key === c.key);
    const ruledOut = quality.insufficient[c.key];
    if (ruledOut !== undefined)
      return { key: c.key, name: c.name, status: 'insufficient_evidence', reason: ruledOut, rationale: '' };
    if (!fromModel || fromModel.score === null)
      return {
        key: c.key,
        name: c.name,
        status: 'insufficient_evidence',
        reason: fromModel?.rationale.trim() || 'The evaluator found no evidence for this in the answers.',
        rationale: '',
      };
    const evidence: TEvidence[] = [];
    for (const raw of fromModel.evidence) {
      const quote = cleanQuote(raw);
      const seq = findQuote(quote, transcript.turns);
      const folded = foldForQuote(quote);
      // An instruction aimed at the evaluator is not evidence of anything.
      const isInjection = injectionTexts.some((t) => t.includes(folded) || folded.includes(t));
      if (seq === undefined || isInjection) {
        dropped.push(quote);
        continue;
      }
      if (!evidence.some((e) => foldForQuote(e.quote) === folded)) evidence.push({ quote, seq });
    }
    const word = protectedAttributeMention(fromModel.rationale);
    if (word !== undefined) flags.push({ type: 'protected_attribute', competency: c.key, word });
    if (evidence.length === 0) {
      flags.push({ type: 'unsupported_score', competency: c.key });
      return {
        key: c.key,
        name: c.name,
        status: 'insufficient_evidence',
        reason: 'No quote given for the score could be found in the candidate’s answers.',
        rationale: fromModel.rationale,
      };
    }
    return {
      key: c.key,
      name: c.name,
      status: 'scored',
      score: fromModel.score,
      rationale: fromModel.rationale,
      evidence,
    };
  });

  const isAllInsufficient = results.every((r) => r.status === 'insufficient_evidence');
  const { insufficient: _ignored, ...qualitySummary } = quality;
  return {
    kind: 'scored',
    recommendation: isAllInsufficient ? 'insufficient_evidence' : model.recommendation,
    confidence: isAllInsufficient ? 'low' : model.confidence,
    summary: model.summary.trim(),
    competencies: results,
    strengths: model.strengths.map((s) => s.trim()).filter(Boolean),
    concerns: model.concerns.map((s) => s.trim()).filter(Boolean),
    quality: qualitySummary,
    integrity: input.integrity,
    durationMs: durationOf(transcript),
    droppedQuotes: dropped,
    flags,
    modelCalls: input.modelCalls,
  };
}

/** The result when the quality gate rules everything out: no model call is made. */
export function insufficientEvaluation(input: {
  transcript: TTranscript;
  competencies: readonly TCompetency[];
  quality: TQualityReport;
  integrity: TIntegritySummary;
}): TEvaluationResult {
  const { quality } = input;
  const { insufficient, ...qualitySummary } = quality;
  const flags: TEvaluationFlag[] = [];
  for (const turn of input.transcript.turns) {
    const excerpt = turn.answer ? injectionExcerpt(turn.answer) : undefined;
    if (excerpt !== undefined) flags.push({ type: 'prompt_injection', seq: turn.seq, excerpt });
  }
  const why = quality.blockers.join(' ');
  return {
    kind: 'scored',
    recommendation: 'insufficient_evidence',
    confidence: 'low',
    summary: `No scores: ${why} A person should review the transcript or invite the candidate again.`,
    competencies: input.competencies.map((c) => ({
      key: c.key,
      name: c.name,
      status: 'insufficient_evidence',
      reason: insufficient[c.key] ?? why,
      rationale: '',
    })),
    strengths: [],
    concerns: [],
    quality: qualitySummary,
    integrity: input.integrity,
    durationMs: durationOf(input.transcript),
    droppedQuotes: [],
    flags,
    modelCalls: 0,
  };
}

function durationOf(t: TTranscript): number | null {
  if (!t.startedAt) return null;
  const end = t.endedAt ?? t.turns.at(-1)?.answeredAt ?? null;
  return end ? Math.max(0, end.getTime() - t.startedAt.getTime()) : null;
}

/** Counts integrity events by kind from their `integrity.*` type names. */
export function summarizeIntegrity(types: readonly string[]): TIntegritySummary {
  const summary: TIntegritySummary = { tabSwitches: 0, pastes: 0, longSilences: 0, other: 0 };
  for (const type of types) {
    const t = type.toLowerCase();
    if (/tab|visibility|blur|focus/.test(t)) summary.tabSwitches++;
    else if (/paste/.test(t)) summary.pastes++;
    else if (/silen/.test(t)) summary.longSilences++;
    else summary.other++;
  }
  return summary;
}
