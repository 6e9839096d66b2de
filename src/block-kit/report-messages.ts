/**
 * Block Kit for the adverse-impact report (`/interview-report`): for the AI's recommendation
 * and for the person's decision, a table per dimension (sex, race/ethnicity, intersection) with
 * assessed, selected, selection rate and impact ratio; ratios under four-fifths are flagged and
 * categories too small to mean anything marked. Aggregates only. Pure.
 */
import {
  FOUR_FIFTHS,
  formatRatio,
  type TDimension,
  type TImpactReport,
  type TOutcomeReport,
} from '../domain/impact-report.js';
import type { TBlock, TSlackMessage } from './evaluation-messages.js';

const COLUMNS = 'Category                                 n   sel  rate  ratio';

function row(
  label: string,
  n: number,
  sel: number,
  rate: number | null,
  ratio: string,
  mark: string,
): string {
  return `${label.slice(0, 38).padEnd(38)} ${String(n).padStart(4)} ${String(sel).padStart(5)}  ${formatRatio(rate).padStart(4)}  ${ratio.padStart(5)}${mark}`;
}

/** One dimension as a fixed-width table; groups nobody was assessed in are left out of intersections. */
export function dimensionTable(d: TDimension, opts: { skipEmpty?: boolean } = {}): string {
  const lines = [COLUMNS];
  for (const g of d.groups) {
    if (opts.skipEmpty && g.assessed === 0) continue;
    const mark = g.isFlagged
      ? '  ⚠ under 4/5'
      : g.isTooSmall
        ? '  (too small)'
        : g.key === d.referenceKey
          ? '  (reference)'
          : '';
    lines.push(row(g.label, g.assessed, g.selected, g.selectionRate, formatRatio(g.impactRatio), mark));
  }
  if (opts.skipEmpty && lines.length === 1)
    lines.push('(no one in any intersection answered both questions)');
  lines.push(
    row(
      'Unknown / declined to answer',
      d.unknown.assessed,
      d.unknown.selected,
      d.unknown.assessed > 0 ? d.unknown.selected / d.unknown.assessed : null,
      '',
      '',
    ),
  );
  return `\`\`\`${lines.join('\n')}\`\`\``;
}

function section(text: string, blockId?: string): TBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text } };
}

function flaggedCount(o: TOutcomeReport): number {
  return [o.sex, o.raceEthnicity, o.intersection].reduce(
    (n, d) => n + d.groups.filter((g) => g.isFlagged).length,
    0,
  );
}

function outcomeBlocks(title: string, key: string, o: TOutcomeReport): TBlock[] {
  const flagged = flaggedCount(o);
  return [
    section(
      `*${title}* — ${o.assessed} assessed, ${o.selected} selected${
        flagged > 0
          ? ` · :warning: *${flagged} categor${flagged === 1 ? 'y' : 'ies'} under four-fifths*`
          : o.assessed > 0
            ? ' · no category under four-fifths'
            : ''
      }`,
      `report_${key}_title`,
    ),
    section(`_By sex_\n${dimensionTable(o.sex)}`, `report_${key}_sex`),
    section(`_By race/ethnicity_\n${dimensionTable(o.raceEthnicity)}`, `report_${key}_race`),
    section(
      `_By sex and race/ethnicity_\n${dimensionTable(o.intersection, { skipEmpty: true })}`,
      `report_${key}_intersection`,
    ),
  ];
}

export function buildImpactReportMessage(
  report: TImpactReport & { from: string; to: string; definitions: Record<string, string> },
): TSlackMessage {
  const blocks: TBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `Adverse-impact report ${report.from} to ${report.to}`,
        emoji: false,
      },
    },
    section(
      `${report.interviews} interview${report.interviews === 1 ? '' : 's'} took place (UTC days ${report.from} to ${report.to}). Selection rate = selected ÷ assessed; impact ratio = a category's rate ÷ the highest rate among categories large enough to count. :warning: marks ratios under ${FOUR_FIFTHS} (four-fifths).`,
      'report_intro',
    ),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Self-identification is voluntary and only ever counted here, in aggregate. This report is the employer’s own monitoring; NYC Local Law 144 also requires a yearly *independent* bias audit.',
        },
      ],
    },
    { type: 'divider' },
    ...outcomeBlocks('AI recommendation (advisory)', 'ai', report.ai),
    { type: 'divider' },
    ...outcomeBlocks('Human decision', 'human', report.human),
    {
      type: 'context',
      elements: Object.values(report.definitions)
        .slice(0, 10)
        .map((text) => ({ type: 'mrkdwn', text })),
    },
  ];
  const flagged = flaggedCount(report.ai) + flaggedCount(report.human);
  return {
    text: `Adverse-impact report ${report.from} to ${report.to}: ${report.interviews} interviews${flagged > 0 ? `, ${flagged} categories under four-fifths` : ''}.`,
    blocks,
  };
}
