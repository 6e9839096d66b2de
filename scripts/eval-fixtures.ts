/**
 * Runs the evaluator on the hand-written transcripts in tests/fixtures/transcripts against the
 * model configured in the environment (OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_CHAT_MODEL),
 * and prints each result beside what a reasonable interviewer would expect.
 *
 *   npm run eval:fixtures                 # every fixture
 *   npm run eval:fixtures -- strong weak  # some of them
 *   npm run eval:fixtures -- --strict     # exit 1 when a result misses its expectation
 *
 * Without a model it says so and exits 0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.js';
import type { TEvaluationResult } from '../src/domain/evaluation/result.js';
import {
  RECOMMENDATION_LABELS,
  type TRecommendation,
  ZCompetencies,
} from '../src/domain/evaluation/rubric.js';
import type { TTranscript } from '../src/domain/evaluation/transcript.js';
import { createAi, type TAi } from '../src/infra/ai/client.js';
import { scoreTranscript } from '../src/services/evaluation/score-transcript.js';

const FIXTURES_DIR = fileURLToPath(new URL('../tests/fixtures/transcripts/', import.meta.url));

type TScoreExpectation = 'insufficient' | { min?: number; max?: number; orInsufficient?: boolean };

export type TFixture = {
  name: string;
  description: string;
  role: { title: string; competencies: unknown };
  endReason: string;
  plannedQuestions: number;
  turns: Array<{ question: string; answer: string | null; competency: string | null; followUp?: boolean }>;
  expect: {
    recommendation: Array<TRecommendation | 'insufficient_evidence'>;
    competencies: Record<string, TScoreExpectation>;
    flags?: string[];
    modelCalls?: number;
  };
};

export function loadFixtures(names: string[] = []): TFixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(FIXTURES_DIR, f), 'utf8')) as TFixture)
    .filter((f) => names.length === 0 || names.includes(f.name));
}

export function fixtureTranscript(f: TFixture): TTranscript {
  const start = new Date('2030-01-01T10:00:00Z');
  return {
    turns: f.turns.map((t, seq) => ({
      seq,
      question: t.question,
      answer: t.answer,
      answerMode: t.answer === null ? null : 'voice',
      competency: t.competency,
      isFollowUp: t.followUp ?? false,
      askedAt: new Date(start.getTime() + seq * 120_000),
      answeredAt: t.answer === null ? null : new Date(start.getTime() + seq * 120_000 + 90_000),
      audioDurationMs: null,
    })),
    plannedQuestions: f.plannedQuestions,
    startedAt: start,
    endedAt: new Date(start.getTime() + f.turns.length * 120_000),
    endReason: f.endReason,
  };
}

export type TCheck = { what: string; expected: string; got: string; isMet: boolean };

function describeExpectation(e: TScoreExpectation): string {
  if (e === 'insufficient') return 'insufficient evidence';
  const range =
    e.min !== undefined && e.max !== undefined
      ? `${e.min}–${e.max}`
      : e.min !== undefined
        ? `≥ ${e.min}`
        : `≤ ${e.max}`;
  return e.orInsufficient ? `${range} or insufficient` : range;
}

/** Each expectation of a fixture beside what the evaluation produced. */
export function checkFixture(f: TFixture, r: TEvaluationResult): TCheck[] {
  const checks: TCheck[] = [
    {
      what: 'recommendation',
      expected: f.expect.recommendation.map((x) => RECOMMENDATION_LABELS[x]).join(' or '),
      got: `${RECOMMENDATION_LABELS[r.recommendation]} (confidence ${r.confidence})`,
      isMet: f.expect.recommendation.includes(r.recommendation),
    },
  ];
  for (const [key, e] of Object.entries(f.expect.competencies)) {
    const c = r.competencies.find((x) => x.key === key);
    const got = !c ? 'missing' : c.status === 'scored' ? String(c.score) : 'insufficient evidence';
    let isMet = false;
    if (c && e === 'insufficient') isMet = c.status === 'insufficient_evidence';
    else if (c && e !== 'insufficient')
      isMet =
        c.status === 'scored'
          ? (e.min === undefined || c.score >= e.min) && (e.max === undefined || c.score <= e.max)
          : e.orInsufficient === true;
    checks.push({ what: `  ${key}`, expected: describeExpectation(e), got, isMet });
  }
  const flagTypes = [...new Set(r.flags.map((x) => x.type))];
  if (f.expect.flags)
    checks.push({
      what: 'flags',
      expected: f.expect.flags.join(', '),
      got: flagTypes.join(', ') || 'none',
      isMet: f.expect.flags.every((x) => flagTypes.includes(x as (typeof flagTypes)[number])),
    });
  if (f.expect.modelCalls !== undefined)
    checks.push({
      what: 'model calls',
      expected: String(f.expect.modelCalls),
      got: String(r.modelCalls),
      isMet: r.modelCalls === f.expect.modelCalls,
    });
  return checks;
}

async function runFixtures(
  ai: TAi,
  names: string[],
  print: (line: string) => void,
): Promise<{ met: number; total: number; errors: number }> {
  const fixtures = loadFixtures(names);
  let met = 0;
  let errors = 0;
  for (const f of fixtures) {
    const started = performance.now();
    try {
      const { result } = await scoreTranscript(ai, {
        roleTitle: f.role.title,
        competencies: ZCompetencies.parse(f.role.competencies),
        transcript: fixtureTranscript(f),
        integrity: { tabSwitches: 0, pastes: 0, longSilences: 0, other: 0 },
      });
      const checks = checkFixture(f, result);
      const isMet = checks.every((c) => c.isMet);
      if (isMet) met++;
      print(
        `\n${isMet ? '✓' : '✗'} ${f.name} — ${f.description} (${Math.round(performance.now() - started)} ms)`,
      );
      for (const c of checks)
        print(`  ${c.isMet ? '✓' : '✗'} ${c.what.padEnd(16)} expected ${c.expected.padEnd(28)} got ${c.got}`);
      for (const c of result.competencies)
        if (c.status === 'scored' && c.evidence[0])
          print(`      ${c.key}: “${c.evidence[0].quote.slice(0, 110)}”`);
      if (result.droppedQuotes.length > 0)
        print(`    ${result.droppedQuotes.length} quote(s) dropped (not in the transcript)`);
    } catch (err) {
      errors++;
      print(`\n✗ ${f.name}: the evaluation failed: ${(err as Error).message}`);
    }
  }
  print(
    `\n${met} of ${fixtures.length} fixtures as expected${errors > 0 ? `, ${errors} failed to evaluate` : ''}.`,
  );
  return { met, total: fixtures.length, errors };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const isStrict = args.includes('--strict');
  const names = args.filter((a) => !a.startsWith('--'));
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const ai = createAi(config.ai);
  if (!ai) {
    console.log(
      'No model configured: set OPENAI_BASE_URL (and OPENAI_API_KEY if the server needs one) to evaluate the fixtures. Nothing was run.',
    );
    return 0;
  }
  console.log(
    `Evaluating ${loadFixtures(names).length} fixture transcripts with ${ai.chatModel} at ${config.ai.baseUrl}`,
  );
  const { met, total, errors } = await runFixtures(ai, names, (line) => console.log(line));
  return isStrict && (met < total || errors > 0) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
