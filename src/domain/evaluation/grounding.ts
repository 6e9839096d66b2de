/**
 * Grounding: turns the model's answer into the stored result. Quotes that are not in the
 * candidate's answers are dropped and counted; a score left without any verified quote is not
 * shown as a score; competencies the quality gate ruled out stay ruled out whatever the model
 * said; injection attempts and protected-attribute wording are flagged; what the model gave
 * outside the rubric is carried as `discarded`. Pure.
 */
import { injectionExcerpt, protectedAttributeMention } from './injection.js';
import { NOTHING_DISCARDED, type TDiscarded, type TModelEvaluation } from './model-output.js';
import type { TQualityReport } from './quality-gate.js';
import { cleanQuote, findQuote, foldForQuote } from './quotes.js';
import type {
  TCompetencyResult,
  TEvaluationFlag,
  TEvaluationResult,
  TEvidence,
  TIntegritySummary,
} from './result.js';
import { SCORE_MAX, SCORE_MIN, type TCompetency } from './rubric.js';
import { durationOf, type TTranscript } from './transcript.js';

function injectionFlags(transcript: TTranscript): TEvaluationFlag[] {
  const flags: TEvaluationFlag[] = [];
  for (const turn of transcript.turns) {
    const excerpt = turn.answer ? injectionExcerpt(turn.answer) : undefined;
    if (excerpt !== undefined) flags.push({ type: 'prompt_injection', seq: turn.seq, excerpt });
  }
  return flags;
}

export function groundEvaluation(input: {
  model: TModelEvaluation;
  discarded?: TDiscarded;
  transcript: TTranscript;
  competencies: readonly TCompetency[];
  quality: TQualityReport;
  integrity: TIntegritySummary;
  modelCalls: number;
}): TEvaluationResult {
  const { model, transcript, competencies, quality } = input;
  const discarded = input.discarded ?? NOTHING_DISCARDED;
  const dropped: string[] = [];
  const flags = injectionFlags(transcript);
  const injectedSeqs = new Set(flags.flatMap((f) => (f.type === 'prompt_injection' ? [f.seq] : [])));
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
    const invalid = discarded.invalidScores.find((s) => s.key === c.key);
    if (invalid)
      return {
        key: c.key,
        name: c.name,
        status: 'insufficient_evidence',
        reason: `The model gave ${invalid.score}, which is not a score on the ${SCORE_MIN}–${SCORE_MAX} scale: not used.`,
        rationale: fromModel?.rationale ?? '',
      };
    if (!fromModel || fromModel.score === null)
      return {
        key: c.key,
        name: c.name,
        status: 'insufficient_evidence',
        reason:
          fromModel?.rationale.trim() ||
          (fromModel
            ? 'The evaluator found no evidence for this in the answers.'
            : 'The model gave nothing for this competency.'),
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
    discarded,
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
    discarded: NOTHING_DISCARDED,
    flags: injectionFlags(input.transcript),
    modelCalls: 0,
  };
}
