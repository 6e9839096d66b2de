/** The stored evaluation result and its parts. Pure types and the integrity count. */
import type { TDiscarded } from './model-output.js';
import type { TQualityReport } from './quality-gate.js';
import type { TConfidence, TRecommendation } from './rubric.js';

export type TEvidence = { quote: string; seq: number };

export type TCompetencyResult =
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
  /** Parts of the model's answer that did not fit the rubric (absent in results stored before 2026-12-03). */
  discarded?: TDiscarded;
  flags: TEvaluationFlag[];
  /** How many model calls produced it (long transcripts are evaluated in parts). */
  modelCalls: number;
};

/** True when at least one competency carries a score. */
export function hasAnyScore(result: Pick<TEvaluationResult, 'competencies'>): boolean {
  return result.competencies.some((c) => c.status === 'scored');
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
