/**
 * The adverse-impact report over a date range: reads, per interview that took place, the
 * candidate's voluntary self-identification, the latest AI recommendation and the standing
 * decision, and hands only those aggregates' inputs to the domain's computation. No name,
 * email or id leaves this function; self-identification is never shown per candidate.
 */
import { currentDecision, DECISION_EVENT_TYPES } from '../../domain/decision.js';
import { AppError } from '../../domain/errors.js';
import {
  impactReport,
  RACE_ETHNICITY_CATEGORIES,
  SEX_CATEGORIES,
  type TImpactReport,
  type TImpactRow,
  type TRaceEthnicity,
  type TSex,
} from '../../domain/impact-report.js';
import type { TServiceDeps } from '../deps.js';

export type TDateRange = { from: Date; to: Date };

export type TImpactReportResult = TImpactReport & {
  from: string;
  to: string;
  generatedAt: string;
  /** How each outcome counts as "selected", for whoever reads the numbers. */
  definitions: { ai: string; human: string; tooSmall: string; unknown: string };
};

const DAY_MS = 86_400_000;

/**
 * `[from] [to]` as typed (YYYY-MM-DD, UTC days, both inclusive): neither gives the last 365
 * days; only `from` runs to today. Refuses a malformed date or an inverted range with a message
 * that says what is expected.
 */
export function parseReportRange(
  fromText: string | undefined,
  toText: string | undefined,
  now: Date,
): TDateRange {
  const day = (text: string, name: string): Date => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
      throw new AppError(
        'invalid_input',
        `${name} must be a date like 2026-01-31 (got “${text.slice(0, 40)}”).`,
      );
    const d = new Date(`${text}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text)
      throw new AppError('invalid_input', `${name} is not a real date: ${text}.`);
    return d;
  };
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = fromText ? day(fromText, 'from') : new Date(today.getTime() - 364 * DAY_MS);
  const to = toText ? day(toText, 'to') : today;
  if (to < from) throw new AppError('invalid_input', 'The end date is before the start date.');
  return { from, to };
}

const SEXES = new Set<string>(SEX_CATEGORIES);
const RACES = new Set<string>(RACE_ETHNICITY_CATEGORIES);

/** Interviews that took place (scheduled start within the UTC days of the range, inclusive). */
export async function buildImpactReport(
  deps: Pick<TServiceDeps, 'prisma' | 'now'>,
  range: TDateRange,
): Promise<TImpactReportResult> {
  const interviews = await deps.prisma.interview.findMany({
    where: {
      scheduledStart: { gte: range.from, lt: new Date(range.to.getTime() + DAY_MS) },
      status: { in: ['completed', 'evaluated', 'failed'] },
    },
    select: {
      id: true,
      aiOptOutAt: true,
      selfIdentification: { select: { sex: true, raceEthnicity: true } },
      evaluations: {
        where: { status: 'succeeded' },
        orderBy: { version: 'desc' },
        take: 1,
        select: { result: true },
      },
      events: {
        where: { type: { in: Object.values(DECISION_EVENT_TYPES) } },
        orderBy: { id: 'asc' },
        select: { type: true, actor: true, createdAt: true, data: true },
      },
    },
  });
  const rows: TImpactRow[] = interviews.map((i) => {
    const sex = i.selfIdentification?.sex;
    const race = i.selfIdentification?.raceEthnicity;
    const recommendation = (i.evaluations[0]?.result as { kind?: string; recommendation?: string } | null)
      ?.recommendation;
    const decision = currentDecision(i.events);
    return {
      sex: sex && SEXES.has(sex) ? (sex as TSex) : null,
      raceEthnicity: race && RACES.has(race) ? (race as TRaceEthnicity) : null,
      aiSelected:
        i.aiOptOutAt || recommendation === undefined
          ? null
          : recommendation === 'hire' || recommendation === 'strong_hire',
      humanSelected: decision ? decision.outcome === 'advanced' : null,
    };
  });
  return {
    from: range.from.toISOString().slice(0, 10),
    to: range.to.toISOString().slice(0, 10),
    generatedAt: deps.now().toISOString(),
    ...impactReport(rows),
    definitions: {
      ai: 'Selected by the AI: the latest evaluation recommends Hire or Strong hire. Assessed: every interview with an AI evaluation (Insufficient evidence counts as not selected).',
      human:
        'Selected by a person: the decision standing now is Advance. Assessed: every interview a person has decided on.',
      tooSmall:
        'Too small: fewer than 5 assessed, or under 2% of all assessed. Such categories get no impact ratio and are not the reference.',
      unknown:
        'Unknown: the candidate declined to answer or did not answer the voluntary self-identification form.',
    },
  };
}
