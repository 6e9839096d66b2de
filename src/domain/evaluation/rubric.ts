/**
 * The rubric: the scoring scale and its anchors, the recommendation labels, the competency
 * shape (the one `ZCompetency` every part of Panelist parses a role's competencies with),
 * and the versions stored with every result. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Bumped whenever the prompt or the rules that shape the result change; stored with every result. */
export const EVALUATION_PROMPT_VERSION = 'eval-2026-12-03.1';

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
export type TConfidence = (typeof CONFIDENCES)[number];

/** One competency of a role, as stored in Role.competencies and sent to the model. */
export const ZCompetency = z.object({
  key: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
});
export type TCompetency = z.infer<typeof ZCompetency>;

/** Role.competencies as stored; entries that do not parse are skipped by the caller. */
export const ZCompetencies = z.array(ZCompetency);

/** Role.competencies as stored: malformed entries skipped. */
export function readCompetencies(raw: unknown): TCompetency[] {
  const list = Array.isArray(raw) ? raw : [];
  return list.flatMap((c) => {
    const r = ZCompetency.safeParse(c);
    return r.success ? [r.data] : [];
  });
}

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
 * A content address of the rubric ("rubric-" + 12 hex digits of its SHA-256): the same
 * competencies, descriptions and anchors give the same version, any edit gives another, so
 * an audit can tell which rubric a score was given against without a version counter.
 */
export function rubricVersion(rubric: TRubric): string {
  const canonical = JSON.stringify({
    scale: rubric.scale,
    competencies: rubric.competencies.map((c) => [c.key, c.name, c.description]),
  });
  return `rubric-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}
