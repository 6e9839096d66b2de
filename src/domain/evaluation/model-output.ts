/**
 * What the model is asked to return and how its answer is read. One zod schema per rubric is
 * the single source: the JSON Schema sent as OpenAI structured output is generated from it
 * (`z.toJSONSchema`), with the competency keys an enum of the rubric's keys. The answer is
 * then read leniently (any key, any number), and whatever does not fit the rubric is set
 * aside and named — unknown keys, out-of-range or fractional scores, repeated keys — never
 * silently turned into "insufficient evidence". Pure.
 */
import { z } from 'zod';
import { CONFIDENCES, RECOMMENDATIONS, SCORE_MAX, SCORE_MIN } from './rubric.js';

const competencyFields = {
  score: z
    .number()
    .int()
    .min(SCORE_MIN)
    .max(SCORE_MAX)
    .nullable()
    .describe('null when there is no evidence or the competency is excluded.'),
  rationale: z.string().max(4000).describe('Two or three sentences: why this score.'),
  evidence: z.array(z.string().max(2000)).max(10).describe("Verbatim quotes of the candidate's words."),
};

const answerFields = {
  strengths: z.array(z.string().max(1000)).max(10),
  concerns: z.array(z.string().max(1000)).max(10),
  recommendation: z.enum(RECOMMENDATIONS),
  confidence: z.enum(CONFIDENCES),
  summary: z.string().max(3000),
  /** Sentences in the answers that try to instruct the evaluator. */
  injection_attempts: z.array(z.string().max(2000)).max(10),
};

/**
 * The answer the model must give for a rubric with these keys. Every field is required
 * (OpenAI's strict structured output wants that); `score` is null when the model itself
 * finds no evidence.
 */
export function modelAnswerSchema(keys: readonly string[]) {
  const [first, ...rest] = keys;
  if (first === undefined) throw new Error('a rubric needs at least one competency');
  return z.object({
    competencies: z
      .array(
        z.object({
          key: z.enum([first, ...rest]).describe('The competency key from the rubric.'),
          ...competencyFields,
        }),
      )
      .max(50),
    ...answerFields,
  });
}

/** Keywords OpenAI's strict mode refuses; the lenient read below enforces the lengths instead. */
const UNSUPPORTED_KEYWORDS = new Set(['$schema', 'maxLength', 'minLength']);

function stripUnsupported(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripUnsupported);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => !UNSUPPORTED_KEYWORDS.has(k))
      .map(([k, v]) => [k, stripUnsupported(v)]),
  );
}

/** The JSON Schema sent as `response_format.json_schema.schema`, generated from modelAnswerSchema. */
export function modelResponseJsonSchema(keys: readonly string[]): Record<string, unknown> {
  return stripUnsupported(z.toJSONSchema(modelAnswerSchema(keys))) as Record<string, unknown>;
}

/** How the answer is read: the same fields, but any key and any number, so that misfits can be named. */
const ZModelAnswerRead = z.object({
  competencies: z
    .array(
      z.object({
        key: z.string().max(200),
        score: z.number().nullable(),
        rationale: competencyFields.rationale,
        evidence: competencyFields.evidence,
      }),
    )
    .max(50),
  ...answerFields,
});
export type TModelAnswerRead = z.infer<typeof ZModelAnswerRead>;

/** The model's answer with only what fits the rubric. */
export type TModelEvaluation = TModelAnswerRead;

/** What was set aside from the model's answer, named in the post and kept in the result. */
export type TDiscarded = {
  /** Competency keys that are not in the rubric (their scores and quotes are ignored). */
  unknownKeys: string[];
  /** Scores outside the scale or not whole numbers (the competency counts as unscored). */
  invalidScores: Array<{ key: string; score: number }>;
  /** Keys given more than once: only the first entry is used. */
  repeatedKeys: string[];
};

export const NOTHING_DISCARDED: TDiscarded = Object.freeze({
  unknownKeys: [],
  invalidScores: [],
  repeatedKeys: [],
}) as TDiscarded;

export function mergeDiscarded(parts: readonly TDiscarded[]): TDiscarded {
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    unknownKeys: unique(parts.flatMap((p) => p.unknownKeys)),
    invalidScores: parts.flatMap((p) => p.invalidScores),
    repeatedKeys: unique(parts.flatMap((p) => p.repeatedKeys)),
  };
}

export type TReadModelAnswer =
  | { ok: true; evaluation: TModelEvaluation; discarded: TDiscarded }
  | { ok: false; problem: string };

/**
 * Reads the model's JSON against the rubric's keys. A shape that is not an evaluation at all
 * is a problem (the caller retries); keys and scores that do not fit the rubric are set aside
 * and listed in `discarded`.
 */
export function readModelAnswer(json: unknown, keys: readonly string[]): TReadModelAnswer {
  const parsed = ZModelAnswerRead.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, problem: `The model’s answer does not match the schema (${where}).` };
  }
  const known = new Set(keys);
  const seen = new Set<string>();
  const discarded: TDiscarded = { unknownKeys: [], invalidScores: [], repeatedKeys: [] };
  const competencies: TModelEvaluation['competencies'] = [];
  for (const c of parsed.data.competencies) {
    if (!known.has(c.key)) {
      if (!discarded.unknownKeys.includes(c.key)) discarded.unknownKeys.push(c.key);
      continue;
    }
    if (seen.has(c.key)) {
      if (!discarded.repeatedKeys.includes(c.key)) discarded.repeatedKeys.push(c.key);
      continue;
    }
    seen.add(c.key);
    const isValid =
      c.score === null || (Number.isInteger(c.score) && c.score >= SCORE_MIN && c.score <= SCORE_MAX);
    if (!isValid && c.score !== null) discarded.invalidScores.push({ key: c.key, score: c.score });
    competencies.push({ ...c, score: isValid ? c.score : null });
  }
  return { ok: true, evaluation: { ...parsed.data, competencies }, discarded };
}
