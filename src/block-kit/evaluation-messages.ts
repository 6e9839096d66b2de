/**
 * Block Kit for the evaluation thread: the evaluation post, its failure, the no-show note,
 * "AI evaluation is not configured", and the status line of the scheduling message. Pure.
 * Everything a person typed (names, answers, model text that may echo them) is escaped for
 * mrkdwn, and every message is shrunk until it fits Slack's limits, whatever the transcript.
 */

import { DECISION_LABELS, type TDecisionAction, type TDecisionOutcome } from '../domain/decision.js';
import { escapeMrkdwn, truncate } from '../domain/escape.js';
import { NOTHING_DISCARDED } from '../domain/evaluation/model-output.js';
import { hasAnyScore, type TEvaluationFlag, type TEvaluationResult } from '../domain/evaluation/result.js';
import { RECOMMENDATION_LABELS, SCORE_MAX, SCORE_MIN } from '../domain/evaluation/rubric.js';
import { NO_MODEL_TEXT } from '../domain/model-offer.js';

import { slackDate } from './format.js';
// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON is checked by the limits below and by Slack.
export type TBlock = { type: string; block_id?: string; [key: string]: any };
export type TSlackMessage = {
  text: string;
  blocks: TBlock[];
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
};

export const EVALUATION_ACTIONS = {
  viewTranscript: 'evaluation_view_transcript',
  reevaluate: 'evaluation_reevaluate',
  requestReview: 'evaluation_request_review',
  advance: 'decision_advance',
  decline: 'decision_decline',
  undo: 'decision_undo',
} as const;

/** The modal that asks for the (optional) reason of a decision. */
export const DECISION_MODAL = {
  callbackId: 'decision_modal',
  reasonBlock: 'decision_reason',
  reasonAction: 'reason',
} as const;

/** Slack's metadata event type on every message this module builds for a thread; reruns look for it. */
export const EVALUATION_EVENT_TYPE = 'panelist_evaluation';

/** Slack refuses blocks past ~12,000 characters of JSON (msg_blocks_too_long); stay well under. */
const MAX_BLOCKS_JSON = 11_000;
const MAX_BLOCKS = 50;
const MAX_COMPETENCY_SECTIONS = 20;

const ADVISORY =
  ':robot_face: *AI-generated and advisory.* A person makes the hiring decision. Scores rest only on what the candidate said, never on age, gender, ethnicity, disability, accent or any other protected characteristic.';

const REC_EMOJI: Record<string, string> = {
  strong_hire: ':large_green_circle:',
  hire: ':white_check_mark:',
  no_hire: ':warning:',
  strong_no_hire: ':red_circle:',
  insufficient_evidence: ':grey_question:',
};

const ANCHOR_SHORT: Record<number, string> = {
  1: 'no real evidence',
  2: 'gaps',
  3: 'meets the bar',
  4: 'beyond the bar',
};

/** One line of user text for mrkdwn: escaped, line breaks flattened, cut to `max`. */
function inline(s: string, max: number): string {
  return escapeMrkdwn(truncate(s.replace(/\s+/g, ' ').trim(), max));
}

function mrkdwn(text: string): TBlock {
  return { type: 'mrkdwn', text: truncate(text, 3000) };
}

function section(text: string, blockId?: string): TBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(text) };
}

function context(...texts: string[]): TBlock {
  return { type: 'context', elements: texts.slice(0, 10).map((t) => mrkdwn(t)) };
}

function button(text: string, actionId: string, extra: Record<string, unknown>): TBlock {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, 75), emoji: true },
    action_id: actionId,
    ...extra,
  };
}

export type TThreadActions = {
  interviewId: string;
  version: number;
  transcriptUrl: string;
  canRequestReview: boolean;
};

function actions(
  { interviewId, version, transcriptUrl, canRequestReview }: TThreadActions,
  opts: { canReevaluate?: boolean } = {},
): TBlock {
  const elements: TBlock[] = [
    button('View transcript', EVALUATION_ACTIONS.viewTranscript, { url: transcriptUrl, value: interviewId }),
    button('Advance', EVALUATION_ACTIONS.advance, { value: `${interviewId}|${version}`, style: 'primary' }),
    button('Decline', EVALUATION_ACTIONS.decline, { value: `${interviewId}|${version}`, style: 'danger' }),
  ];
  // Without a model a new evaluation could only say "not configured" again: no button.
  if (opts.canReevaluate !== false)
    elements.push(
      button('Re-evaluate', EVALUATION_ACTIONS.reevaluate, {
        value: interviewId,
        confirm: {
          title: { type: 'plain_text', text: 'Re-evaluate?' },
          text: {
            type: 'mrkdwn',
            text: 'A new evaluation version will be posted in this thread. The current one stays.',
          },
          confirm: { type: 'plain_text', text: 'Re-evaluate' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      }),
    );
  if (canRequestReview)
    elements.push(
      button('Request human review', EVALUATION_ACTIONS.requestReview, {
        value: `${interviewId}|${version}`,
      }),
    );
  return { type: 'actions', block_id: `evaluation_actions_v${version}`, elements };
}

function formatDuration(ms: number | null): string {
  if (ms === null) return 'unknown length';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function flagLine(flag: TEvaluationFlag, names: Map<string, string>, quoteMax: number): string {
  switch (flag.type) {
    case 'prompt_injection':
      return `Possible prompt injection in answer ${flag.seq + 1}, ignored for scoring: “${inline(flag.excerpt, quoteMax)}”`;
    case 'protected_attribute':
      return `The model's reasoning on *${inline(names.get(flag.competency) ?? flag.competency, 80)}* mentions “${inline(flag.word, 40)}”: check it was not used as grounds.`;
    case 'unsupported_score':
      return `The model scored *${inline(names.get(flag.competency) ?? flag.competency, 80)}* without a quote found in the transcript: not shown as a score.`;
  }
}

type TLevel = { quote: number; rationale: number; summary: number; item: number; items: number };
const LEVELS: TLevel[] = [
  { quote: 300, rationale: 300, summary: 800, item: 200, items: 4 },
  { quote: 200, rationale: 180, summary: 600, item: 150, items: 4 },
  { quote: 150, rationale: 0, summary: 450, item: 110, items: 3 },
  { quote: 100, rationale: 0, summary: 300, item: 80, items: 3 },
  { quote: 0, rationale: 0, summary: 200, item: 60, items: 2 },
];

export type TEvaluationPostInput = {
  candidateName: string;
  roleTitle: string;
  version: number;
  result: TEvaluationResult;
  model: string;
  promptVersion: string;
  /** Content address of the rubric the scores were given against (absent on rows stored before it existed). */
  rubricVersion?: string | null | undefined;
  /** Slack user who asked for this version (a re-evaluation). */
  requestedBy?: string | undefined;
  /** The decision a person had already made when this version was posted (it stands). */
  standingDecision?: TStandingDecision | null | undefined;
  actions: TThreadActions;
  interviewId: string;
  /** The interviewer's response time line (voice-server's formatLatencySummary), shown in the footer. */
  latencyLine?: string | null | undefined;
};

export type TStandingDecision = {
  outcome: TDecisionOutcome;
  userId: string;
  at: Date;
  evaluationVersion: number | null;
};

function standingLine(d: TStandingDecision): string {
  return `:busts_in_silhouette: *Decision standing: ${DECISION_LABELS[d.outcome]} by <@${d.userId}>* ${slackDate(d.at)}${d.evaluationVersion ? ` (on evaluation v${d.evaluationVersion})` : ''}. This evaluation does not change it; only a person can.`;
}

/** Names what was set aside from the model's answer; empty when nothing was. */
function discardedLines(result: TEvaluationResult, names: Map<string, string>): string[] {
  const d = result.discarded ?? NOTHING_DISCARDED;
  const lines: string[] = [];
  if (d.unknownKeys.length > 0)
    lines.push(
      `Competencies not in this role's rubric, ignored: ${d.unknownKeys
        .slice(0, 8)
        .map((k) => `\`${inline(k, 40).replace(/`/g, "'")}\``)
        .join(', ')}${d.unknownKeys.length > 8 ? ` and ${d.unknownKeys.length - 8} more` : ''}`,
    );
  for (const bad of d.invalidScores.slice(0, 5))
    lines.push(
      `Score ${bad.score} for *${inline(names.get(bad.key) ?? bad.key, 60)}* is not on the ${SCORE_MIN}–${SCORE_MAX} scale: not used`,
    );
  if (d.repeatedKeys.length > 0)
    lines.push(
      `Given more than once, only the first kept: ${d.repeatedKeys
        .slice(0, 8)
        .map((k) => `*${inline(names.get(k) ?? k, 60)}*`)
        .join(', ')}`,
    );
  // The quotes themselves are not repeated here: words the candidate never said must not reach
  // the team as if they had (the audit export keeps them).
  if (result.droppedQuotes.length > 0)
    lines.push(
      `${result.droppedQuotes.length} quote${result.droppedQuotes.length === 1 ? '' : 's'} dropped (not found in the candidate’s answers)`,
    );
  return lines;
}

function evaluationBlocks(input: TEvaluationPostInput, level: TLevel, compact: boolean): TBlock[] {
  const { result } = input;
  const names = new Map(result.competencies.map((c) => [c.key, c.name]));
  const label = RECOMMENDATION_LABELS[result.recommendation];
  // A model that scored nothing has no grounds for its prose either (the quality gate's own summary, with no model call, stays).
  const isUnscoredModelText = result.modelCalls > 0 && !hasAnyScore(result);
  const blocks: TBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(
          `Evaluation${input.version > 1 ? ` v${input.version}` : ''}: ${input.candidateName.replace(/\s+/g, ' ')}`,
          150,
        ),
        emoji: false,
      },
    },
    section(
      `${REC_EMOJI[result.recommendation] ?? ''} *Recommendation: ${label}* · confidence ${result.confidence}` +
        (input.version > 1
          ? `\n_Re-evaluation, version ${input.version}${input.requestedBy ? `, requested by <@${input.requestedBy}>` : ''}. Earlier versions stay above._`
          : '') +
        (isUnscoredModelText
          ? '\n_No competency could be scored, so the model’s summary is not shown. Read the transcript to judge._'
          : result.summary
            ? `\n${inline(result.summary, level.summary)}`
            : ''),
      'evaluation_summary',
    ),
    context(ADVISORY),
  ];
  if (input.standingDecision)
    blocks.push(section(standingLine(input.standingDecision), 'evaluation_decision'));
  blocks.push({ type: 'divider' });

  const comps = result.competencies;
  const shown = compact ? [] : comps.slice(0, MAX_COMPETENCY_SECTIONS);
  for (const c of shown) {
    if (c.status === 'scored') {
      const best = c.evidence[0];
      let text = `*${inline(c.name, 150)}* — *${c.score}/${SCORE_MAX}* _(${ANCHOR_SHORT[c.score] ?? ''})_`;
      if (best && level.quote > 0)
        text += `\n> “${inline(best.quote, level.quote)}” _(answer ${best.seq + 1})_`;
      if (level.rationale > 0 && c.rationale) text += `\n${inline(c.rationale, level.rationale)}`;
      blocks.push(section(text));
    } else {
      blocks.push(
        section(
          `*${inline(c.name, 150)}* — _insufficient evidence_: ${inline(c.reason, Math.max(level.item, 120))}`,
        ),
      );
    }
  }
  const rest = comps.slice(shown.length);
  if (rest.length > 0) {
    const lines = rest.map((c) =>
      c.status === 'scored'
        ? `• *${inline(c.name, 60)}*: ${c.score}/${SCORE_MAX}`
        : `• *${inline(c.name, 60)}*: insufficient evidence`,
    );
    blocks.push(section(truncate(lines.join('\n'), 2900)));
  }
  blocks.push({ type: 'divider' });

  const list = (items: string[]) =>
    items.length === 0
      ? '_none noted_'
      : items
          .slice(0, level.items)
          .map((s) => `• ${inline(s, level.item)}`)
          .join('\n');
  if (hasAnyScore(result))
    blocks.push({
      type: 'section',
      block_id: 'evaluation_strengths_concerns',
      fields: [
        mrkdwn(`*Strengths*\n${list(result.strengths)}`),
        mrkdwn(`*Concerns*\n${list(result.concerns)}`),
      ],
    });
  else if (result.strengths.length + result.concerns.length > 0)
    // Strengths and concerns next to no score at all would read as a judgement that was never made.
    blocks.push(
      section(
        '*Strengths and concerns:* not shown, because no competency could be scored. Read the transcript to judge.',
        'evaluation_strengths_concerns',
      ),
    );

  const i = result.integrity;
  blocks.push(
    section(
      `*Integrity signals* (facts, not judgements)\nTab switches: ${i.tabSwitches} · Pastes: ${i.pastes} · Long silences: ${i.longSilences}${i.other > 0 ? ` · Other: ${i.other}` : ''}`,
      'evaluation_integrity',
    ),
  );
  if (result.flags.length > 0) {
    const lines = result.flags.slice(0, 6).map((f) => `• ${flagLine(f, names, Math.max(level.quote, 80))}`);
    if (result.flags.length > 6) lines.push(`• …and ${result.flags.length - 6} more`);
    blocks.push(section(`:warning: *Flags*\n${lines.join('\n')}`, 'evaluation_flags'));
  }
  const discarded = discardedLines(result, names);
  if (discarded.length > 0)
    blocks.push(
      section(
        `:wastebasket: *Set aside from the model's answer*\n${discarded.map((l) => `• ${l}`).join('\n')}`,
        'evaluation_discarded',
      ),
    );
  const q = result.quality;
  const facts = [
    `Interview length: ${formatDuration(result.durationMs)}`,
    `${q.questionsAnswered} of ${q.questionsAsked} questions answered`,
  ];
  if (q.isCutShort) facts.push(q.ended ?? 'ended early');
  facts.push(
    `${inline(input.model, 60)} · prompt ${inline(input.promptVersion, 40)}${input.rubricVersion ? ` · ${inline(input.rubricVersion, 40)}` : ''}`,
  );
  if (input.latencyLine) facts.push(inline(input.latencyLine, 120));
  blocks.push(context(facts.join(' · ')));
  blocks.push(actions(input.actions));
  return blocks;
}

/** Measures the blocks the way Slack's undocumented total-size limit does (JSON characters). */
export function blocksSize(blocks: TBlock[]): number {
  return JSON.stringify(blocks).length;
}

/**
 * The evaluation post: recommendation and summary first, then per competency the score and
 * its best quote, strengths and concerns, integrity signals, flags, facts, and the buttons.
 * Shrinks quotes, rationales and lists step by step until the blocks fit Slack's limits.
 */
export function buildEvaluationMessage(input: TEvaluationPostInput): TSlackMessage {
  let blocks: TBlock[] = [];
  for (const compact of [false, true]) {
    for (const level of LEVELS) {
      blocks = evaluationBlocks(input, level, compact);
      if (blocks.length <= MAX_BLOCKS && blocksSize(blocks) <= MAX_BLOCKS_JSON) return done(blocks);
    }
  }
  return done(blocks.slice(0, MAX_BLOCKS));

  function done(b: TBlock[]): TSlackMessage {
    const label = RECOMMENDATION_LABELS[input.result.recommendation];
    return {
      text: truncate(
        `Evaluation${input.version > 1 ? ` v${input.version}` : ''} for ${inline(input.candidateName, 200)}: ${label} (AI-generated, advisory)`,
        3000,
      ),
      blocks: b,
      metadata: meta(input.interviewId, input.version, 'evaluation'),
    };
  }
}

function meta(interviewId: string, version: number, kind: string): TSlackMessage['metadata'] {
  return { event_type: EVALUATION_EVENT_TYPE, event_payload: { interview_id: interviewId, version, kind } };
}

/** After the last attempt: the evaluation could not be produced. */
export function buildEvaluationFailedMessage(input: {
  candidateName: string;
  version: number;
  reason: string;
  attempts: number;
  actions: TThreadActions;
  interviewId: string;
}): TSlackMessage {
  const blocks: TBlock[] = [
    section(
      `:x: *The AI evaluation${input.version > 1 ? ` (version ${input.version})` : ''} of ${inline(input.candidateName, 200)} failed* after ${input.attempts} attempt${input.attempts === 1 ? '' : 's'}.\n${inline(input.reason, 500)}\nThe transcript is complete and can be read now; *Re-evaluate* tries again.`,
      'evaluation_failed',
    ),
    actions({ ...input.actions, canRequestReview: false }),
  ];
  return {
    text: `The AI evaluation of ${inline(input.candidateName, 200)} failed. The transcript can be read now.`,
    blocks,
    metadata: meta(input.interviewId, input.version, 'failed'),
  };
}

/** No model configured: nothing can score, but the transcript is there. */
export function buildNotConfiguredMessage(input: {
  candidateName: string;
  version: number;
  actions: TThreadActions;
  interviewId: string;
  /** How it ended, when not plainly ("ended early after 1 of 3 questions"; domain/interview-end.ts). */
  ended?: string;
}): TSlackMessage {
  return {
    text: NO_MODEL_TEXT.threadFallback(inline(input.candidateName, 200), input.ended),
    blocks: [
      section(
        `:information_source: ${NO_MODEL_TEXT.thread(inline(input.candidateName, 200), input.ended)}`,
        'evaluation_not_configured',
      ),
      actions({ ...input.actions, canRequestReview: false }, { canReevaluate: false }),
    ],
    metadata: meta(input.interviewId, input.version, 'not_configured'),
  };
}

/** The window closed and the candidate never started. */
export function buildNoShowMessage(input: {
  candidateName: string;
  scheduledStart: Date;
  interviewId: string;
}): TSlackMessage {
  const unix = Math.floor(input.scheduledStart.getTime() / 1000);
  const fallback = input.scheduledStart.toISOString().replace('T', ' ').slice(0, 16);
  return {
    text: `Candidate did not join: ${inline(input.candidateName, 200)}`,
    blocks: [
      section(
        `:no_entry_sign: *Candidate did not join.* ${inline(input.candidateName, 200)} did not start the interview scheduled for <!date^${unix}^{date_short_pretty} at {time}|${fallback} UTC> before its window closed. There is nothing to evaluate; schedule again from Slack if you want to.`,
        'evaluation_no_show',
      ),
    ],
    metadata: meta(input.interviewId, 1, 'no_show'),
  };
}

/** Thread note when someone asks for a new version. */
export function reevaluationRequestedText(userId: string, version: number): string {
  return `:repeat: Re-evaluation requested by <@${userId}>: version ${version} will be posted here.`;
}

export function humanReviewRequestedText(userId: string, version: number): string {
  return `:raising_hand: <@${userId}> requested a human review of ${version > 1 ? `evaluation v${version}` : 'the evaluation'}. The hiring team should read the transcript before deciding.`;
}

export type TRootEvaluation =
  | { kind: 'evaluated'; recommendation: TEvaluationResult['recommendation']; version: number }
  | { kind: 'failed' }
  | { kind: 'not_configured' }
  | { kind: 'no_show' };

function evaluationNote(outcome: TRootEvaluation): string {
  switch (outcome.kind) {
    case 'evaluated':
      return `AI evaluation${outcome.version > 1 ? ` v${outcome.version}` : ''}: ${RECOMMENDATION_LABELS[outcome.recommendation]} (advisory). Details in the thread.`;
    case 'failed':
      return 'The AI evaluation failed; the transcript and a Re-evaluate button are in the thread.';
    case 'not_configured':
      return `Interview ended. ${NO_MODEL_TEXT.short} The transcript link is in the thread.`;
    case 'no_show':
      return 'The candidate did not join before the window closed.';
  }
}

/**
 * The note under the scheduling message's status: the person's decision first (it is the one
 * that counts), then what the latest AI evaluation said. Plain text: it is escaped there, so
 * the decider is named as "@name".
 */
export function rootStatusText(input: {
  evaluation: TRootEvaluation | null;
  decision: {
    outcome: TDecisionOutcome;
    by: string;
    evaluationVersion: number | null;
  } | null;
}): string {
  const parts: string[] = [];
  if (input.decision) {
    const d = input.decision;
    const laterVersion =
      input.evaluation?.kind === 'evaluated' &&
      d.evaluationVersion !== null &&
      input.evaluation.version > d.evaluationVersion;
    parts.push(
      `${DECISION_LABELS[d.outcome]} by @${d.by.replace(/^@/, '')}${laterVersion ? ` (decided on evaluation v${d.evaluationVersion})` : ''}.`,
    );
  }
  if (input.evaluation) parts.push(evaluationNote(input.evaluation));
  return parts.join(' ');
}

/** The thread note for a recorded decision; Advance and Decline carry an Undo button. */
export function decisionNote(input: {
  action: TDecisionAction;
  userId: string;
  reason: string | null;
  undid: TDecisionOutcome | null;
  interviewId: string;
}): { text: string; blocks: TBlock[] } {
  const why = input.reason ? `\n>${inline(input.reason, 1000)}` : '';
  if (input.action === 'undo') {
    const text = `:leftwards_arrow_with_hook: <@${input.userId}> undid the decision${input.undid ? ` (${DECISION_LABELS[input.undid].toLowerCase()})` : ''}. No decision stands now.`;
    return { text, blocks: [section(`${text}${why}`, 'decision_note')] };
  }
  const outcome: TDecisionOutcome = input.action === 'advance' ? 'advanced' : 'declined';
  const text =
    outcome === 'advanced'
      ? `:white_check_mark: *Advanced by <@${input.userId}>.*`
      : `:no_entry: *Declined by <@${input.userId}>.* Panelist did not email the candidate; tell them yourself.`;
  return {
    text: text.replace(/\*/g, ''),
    blocks: [
      section(`${text}${why}`, 'decision_note'),
      context('A person made this decision. The AI evaluation above is advisory.'),
      {
        type: 'actions',
        block_id: 'decision_actions',
        elements: [
          button('Undo', EVALUATION_ACTIONS.undo, {
            value: input.interviewId,
            confirm: {
              title: { type: 'plain_text', text: 'Undo the decision?' },
              text: {
                type: 'mrkdwn',
                text: 'The decision is undone and recorded as undone. Nobody is emailed.',
              },
              confirm: { type: 'plain_text', text: 'Undo' },
              deny: { type: 'plain_text', text: 'Keep it' },
            },
          }),
        ],
      },
    ],
  };
}

/** The modal that asks for the optional reason of Advance or Decline. */
export function buildDecisionModal(input: {
  action: 'advance' | 'decline';
  interviewId: string;
  version: number;
  candidateName: string;
  /** Where the button was clicked, so a refusal can be said there. */
  channelId?: string | undefined;
  threadTs?: string | undefined;
}) {
  const isAdvance = input.action === 'advance';
  return {
    type: 'modal' as const,
    callback_id: DECISION_MODAL.callbackId,
    private_metadata: JSON.stringify({
      i: input.interviewId,
      v: input.version,
      a: input.action,
      c: input.channelId ?? null,
      t: input.threadTs ?? null,
    }),
    title: { type: 'plain_text' as const, text: isAdvance ? 'Advance candidate' : 'Decline candidate' },
    submit: { type: 'plain_text' as const, text: isAdvance ? 'Advance' : 'Decline' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      section(
        `${isAdvance ? 'Advance' : 'Decline'} *${inline(input.candidateName, 200)}*? This is your decision, recorded with your name and the time. The AI recommendation is advisory only.${isAdvance ? '' : '\n*Panelist does not email the candidate when you decline.* Tell them yourself, through your usual process.'}`,
      ),
      {
        type: 'input',
        block_id: DECISION_MODAL.reasonBlock,
        optional: true,
        label: { type: 'plain_text', text: 'Why (optional)' },
        hint: {
          type: 'plain_text',
          text: 'Kept in the audit log with the decision. Base it on the answers, never on a protected characteristic.',
        },
        element: {
          type: 'plain_text_input',
          action_id: DECISION_MODAL.reasonAction,
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  };
}
