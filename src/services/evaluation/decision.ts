/**
 * The human decision: Advance, Decline, Undo. Recorded in the event log with who, when and
 * (optionally) why, once per change: two clicks (or two modal submissions) record one event.
 * Says so in the thread and updates the scheduling message. Never emails the candidate: telling
 * them is the hiring team's own step.
 */

import { decisionNote } from '../../block-kit/evaluation-messages.js';
import {
  DECIDABLE_STATUSES,
  DECISION_EVENT_TYPES,
  DECISION_REASON_MAX,
  decide,
  type TCurrentDecision,
  type TDecisionAction,
} from '../../domain/decision.js';
import { AppError } from '../../domain/errors.js';
import { stripControlChars } from '../../domain/escape.js';
import type { Logger } from '../../infra/logger.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { loadDecision } from './decision-state.js';
import { updateSchedulingMessageStatus } from './thread.js';

/** The candidate's name for the decision modal (one indexed read); undefined when there is no such interview. */
export async function decisionSubject(
  deps: Pick<TServiceDeps, 'prisma'>,
  interviewId: string,
): Promise<string | undefined> {
  const interview = await deps.prisma.interview.findUnique({
    where: { id: interviewId },
    select: { candidate: { select: { name: true } } },
  });
  return interview?.candidate.name;
}

export type TDecisionResult =
  | { outcome: 'recorded'; decision: TCurrentDecision | null; previous: TCurrentDecision | null }
  | { outcome: 'unchanged'; decision: TCurrentDecision | null }
  | { outcome: 'refused'; reason: string; decision: TCurrentDecision | null };

/**
 * Records a decision. Clicks on one interview are serialised by an advisory lock held in the
 * transaction that reads the standing decision and writes the event, so two clicks arriving
 * together cannot both record.
 */
export async function recordDecision(
  deps: Pick<TServiceDeps, 'prisma' | 'slack' | 'now'> & { logger: Logger },
  input: {
    interviewId: string;
    userId: string;
    action: TDecisionAction;
    reason?: string | undefined;
    evaluationVersion?: number | undefined;
  },
): Promise<TDecisionResult> {
  const { prisma } = deps;
  const interview = await prisma.interview.findUnique({
    where: { id: input.interviewId },
    select: { id: true, status: true, slackChannelId: true, slackThreadTs: true, redactedAt: true },
  });
  if (!interview) throw new AppError('not_found', 'That interview was not found.');
  if (interview.redactedAt)
    throw new AppError('invalid_state', 'This interview’s data was deleted; there is nothing to decide on.');
  if (!(DECIDABLE_STATUSES as readonly string[]).includes(interview.status))
    throw new AppError('invalid_state', 'A decision can be made once the interview is over.');
  const reason = input.reason ? stripControlChars(input.reason).trim().slice(0, DECISION_REASON_MAX) : '';
  const actor = `slack:${input.userId}`;

  const result = await prisma.$transaction(async (tx): Promise<TDecisionResult> => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`decision|${interview.id}`}))`;
    const previous = await loadDecision(tx, interview.id);
    const step = decide(previous, input.action);
    if (step.kind === 'unchanged') return { outcome: 'unchanged', decision: previous };
    if (step.kind === 'refused') return { outcome: 'refused', reason: step.reason, decision: previous };
    await recordEvent(tx, {
      interviewId: interview.id,
      type: DECISION_EVENT_TYPES[input.action],
      actor,
      data:
        input.action === 'undo'
          ? { undid: previous?.outcome ?? null, ...(reason ? { reason } : {}) }
          : {
              ...(reason ? { reason } : {}),
              evaluationVersion: input.evaluationVersion ?? null,
            },
    });
    return { outcome: 'recorded', decision: await loadDecision(tx, interview.id), previous };
  });
  if (result.outcome !== 'recorded') return result;

  const log = deps.logger.child({ interviewId: interview.id });
  const note = decisionNote({
    action: input.action,
    userId: input.userId,
    reason: reason || null,
    undid: result.previous?.outcome ?? null,
    interviewId: interview.id,
  });
  try {
    await deps.slack.chat.postMessage({
      channel: interview.slackChannelId,
      ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
      text: note.text,
      blocks: note.blocks,
      unfurl_links: false,
    });
  } catch (err) {
    // The event is the record; the thread note is a courtesy that must not undo it.
    log.warn({ err: { message: (err as Error).message } }, 'could not post the decision note');
  }
  await updateSchedulingMessageStatus(deps, interview.id, log);
  return result;
}
