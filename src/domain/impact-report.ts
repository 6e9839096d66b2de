/**
 * The adverse-impact report in the shape NYC Local Law 144's bias audits use: per category of
 * sex, of race/ethnicity, and of their intersection, the selection rate (selected ÷ assessed)
 * and the impact ratio (the category's rate ÷ the highest rate among the categories large
 * enough to count). Ratios under four-fifths are flagged; categories too small to mean anything
 * are marked and neither flagged nor used as the reference. Computed twice: for the AI's
 * recommendation and for the person's decision. Pure; works on aggregate rows only.
 */

export const SEX_CATEGORIES = ['male', 'female'] as const;
export const RACE_ETHNICITY_CATEGORIES = [
  'hispanic_or_latino',
  'white',
  'black_or_african_american',
  'native_hawaiian_or_pacific_islander',
  'asian',
  'american_indian_or_alaska_native',
  'two_or_more_races',
] as const;
export type TSex = (typeof SEX_CATEGORIES)[number];
export type TRaceEthnicity = (typeof RACE_ETHNICITY_CATEGORIES)[number];

export const CATEGORY_LABELS: Readonly<Record<TSex | TRaceEthnicity, string>> = {
  male: 'Male',
  female: 'Female',
  hispanic_or_latino: 'Hispanic or Latino',
  white: 'White',
  black_or_african_american: 'Black or African American',
  native_hawaiian_or_pacific_islander: 'Native Hawaiian or Pacific Islander',
  asian: 'Asian',
  american_indian_or_alaska_native: 'American Indian or Alaska Native',
  two_or_more_races: 'Two or more races',
};

/** The four-fifths rule: an impact ratio under this is flagged. */
export const FOUR_FIFTHS = 0.8;

/**
 * A category is too small to mean anything below this many assessed candidates, or below 2 %
 * of everyone assessed (LL144 lets an auditor leave such categories out of the ratios).
 */
export const MIN_GROUP_SIZE = 5;
export const MIN_GROUP_SHARE = 0.02;

/** One interview as the report sees it: self-identification (null: declined or not given) and outcomes. */
export type TImpactRow = {
  sex: TSex | null;
  raceEthnicity: TRaceEthnicity | null;
  /** The AI recommended advancing (hire / strong hire); null when there is no AI result. */
  aiSelected: boolean | null;
  /** A person advanced (true) or declined (false); null when nobody has decided. */
  humanSelected: boolean | null;
};

export type TGroupRow = {
  key: string;
  label: string;
  assessed: number;
  selected: number;
  /** selected ÷ assessed; null when nobody in the group was assessed. */
  selectionRate: number | null;
  /** rate ÷ the reference rate; null when the group is too small or there is no reference. */
  impactRatio: number | null;
  isTooSmall: boolean;
  /** impactRatio < 4/5. */
  isFlagged: boolean;
};

export type TDimension = {
  groups: TGroupRow[];
  /** Assessed candidates with no category here (declined to answer, or never answered). */
  unknown: { assessed: number; selected: number };
  /** The group whose rate is the reference (the highest among groups large enough). */
  referenceKey: string | null;
};

export type TOutcomeReport = {
  assessed: number;
  selected: number;
  sex: TDimension;
  raceEthnicity: TDimension;
  intersection: TDimension;
};

export type TImpactReport = {
  interviews: number;
  ai: TOutcomeReport;
  human: TOutcomeReport;
};

function dimension(
  rows: readonly { key: string | null; selected: boolean }[],
  categories: readonly { key: string; label: string }[],
  total: number,
): TDimension {
  const minSize = Math.max(MIN_GROUP_SIZE, Math.ceil(total * MIN_GROUP_SHARE));
  const groups = categories.map(({ key, label }) => {
    const mine = rows.filter((r) => r.key === key);
    const selected = mine.filter((r) => r.selected).length;
    return {
      key,
      label,
      assessed: mine.length,
      selected,
      selectionRate: mine.length > 0 ? selected / mine.length : null,
      isTooSmall: mine.length < minSize,
    };
  });
  const reference = groups
    .filter((g) => !g.isTooSmall && g.selectionRate !== null)
    .reduce<(typeof groups)[number] | null>(
      (best, g) => (best === null || (g.selectionRate ?? 0) > (best.selectionRate ?? 0) ? g : best),
      null,
    );
  const refRate = reference?.selectionRate ?? 0;
  const unknown = rows.filter((r) => r.key === null);
  return {
    groups: groups.map((g) => {
      const impactRatio =
        g.isTooSmall || g.selectionRate === null || refRate === 0 ? null : g.selectionRate / refRate;
      return { ...g, impactRatio, isFlagged: impactRatio !== null && impactRatio < FOUR_FIFTHS };
    }),
    unknown: { assessed: unknown.length, selected: unknown.filter((r) => r.selected).length },
    referenceKey: refRate > 0 ? (reference?.key ?? null) : null,
  };
}

const SEXES = SEX_CATEGORIES.map((key) => ({ key, label: CATEGORY_LABELS[key] }));
const RACES = RACE_ETHNICITY_CATEGORIES.map((key) => ({ key, label: CATEGORY_LABELS[key] }));
const INTERSECTIONS = SEX_CATEGORIES.flatMap((s) =>
  RACE_ETHNICITY_CATEGORIES.map((r) => ({
    key: `${s}/${r}`,
    label: `${CATEGORY_LABELS[s]} · ${CATEGORY_LABELS[r]}`,
  })),
);

function outcome(rows: readonly TImpactRow[], pick: (r: TImpactRow) => boolean | null): TOutcomeReport {
  const assessed = rows.flatMap((r) => {
    const selected = pick(r);
    return selected === null ? [] : [{ ...r, selected }];
  });
  const total = assessed.length;
  return {
    assessed: total,
    selected: assessed.filter((r) => r.selected).length,
    sex: dimension(
      assessed.map((r) => ({ key: r.sex, selected: r.selected })),
      SEXES,
      total,
    ),
    raceEthnicity: dimension(
      assessed.map((r) => ({ key: r.raceEthnicity, selected: r.selected })),
      RACES,
      total,
    ),
    intersection: dimension(
      assessed.map((r) => ({
        key: r.sex && r.raceEthnicity ? `${r.sex}/${r.raceEthnicity}` : null,
        selected: r.selected,
      })),
      INTERSECTIONS,
      total,
    ),
  };
}

/** The report for these interviews: the AI's recommendation and the person's decision, side by side. */
export function impactReport(rows: readonly TImpactRow[]): TImpactReport {
  return {
    interviews: rows.length,
    ai: outcome(rows, (r) => r.aiSelected),
    human: outcome(rows, (r) => r.humanSelected),
  };
}

/** "0.50" style, for people; null as an en dash. */
export function formatRatio(x: number | null): string {
  return x === null ? '–' : x.toFixed(2);
}
