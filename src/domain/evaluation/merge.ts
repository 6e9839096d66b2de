/** Merging the model's answers for the parts of a long interview into one. Pure. */
import type { TModelEvaluation } from './model-output.js';
import { CONFIDENCES, SCORE_MAX, SCORE_MIN, type TCompetency, type TRecommendation } from './rubric.js';

const REC_POINTS: Record<TRecommendation, number> = {
  strong_hire: 4,
  hire: 3,
  no_hire: 2,
  strong_no_hire: 1,
};

/**
 * One answer from several: per competency the rounded mean of the parts that scored it (their
 * rationales and quotes joined), the rounded mean recommendation, the lowest confidence, the
 * first three summary sentences. Needs at least one part.
 */
export function mergeEvaluations(
  parts: readonly TModelEvaluation[],
  competencies: readonly TCompetency[],
): TModelEvaluation {
  const first = parts[0];
  if (!first) throw new Error('mergeEvaluations needs at least one part');
  if (parts.length === 1) return first;
  const comps = competencies.map((c) => {
    const scored = parts.flatMap((p) => p.competencies.filter((x) => x.key === c.key && x.score !== null));
    if (scored.length === 0) {
      const any = parts.flatMap((p) => p.competencies.filter((x) => x.key === c.key))[0];
      return { key: c.key, score: null, rationale: any?.rationale ?? '', evidence: [] };
    }
    const mean = scored.reduce((n, x) => n + (x.score ?? 0), 0) / scored.length;
    return {
      key: c.key,
      score: Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(mean))),
      rationale: scored.map((x) => x.rationale).join(' '),
      evidence: scored.flatMap((x) => x.evidence).slice(0, 10),
    };
  });
  const recMean = parts.reduce((n, p) => n + REC_POINTS[p.recommendation], 0) / parts.length;
  const rec = (Object.entries(REC_POINTS).find(([, v]) => v === Math.round(recMean))?.[0] ??
    'no_hire') as TRecommendation;
  const confidence =
    parts.map((p) => p.confidence).sort((a, b) => CONFIDENCES.indexOf(a) - CONFIDENCES.indexOf(b))[0] ??
    'low';
  const unique = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))].slice(0, 10);
  const sentences = parts
    .flatMap((p) => p.summary.split(/(?<=[.!?])\s+/))
    .filter(Boolean)
    .slice(0, 3)
    .join(' ');
  return {
    competencies: comps,
    strengths: unique(parts.flatMap((p) => p.strengths)),
    concerns: unique(parts.flatMap((p) => p.concerns)),
    recommendation: rec,
    confidence,
    summary: sentences,
    injection_attempts: unique(parts.flatMap((p) => p.injection_attempts)),
  };
}
