/**
 * Posting into the interview's thread exactly once per (interview, version, kind), and keeping
 * the scheduling message's status line current.
 */
import type { WebClient } from '@slack/web-api';
import {
  EVALUATION_EVENT_TYPE,
  rootStatusText,
  type TRootEvaluation,
  type TSlackMessage,
} from '../../block-kit/evaluation-messages.js';
import type { TEvaluationResult } from '../../domain/evaluation/result.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Logger } from '../../infra/logger.js';
import { refreshRootMessage } from '../booking/scheduling-message.js';
import { loadDecision } from './decision-state.js';

type TThreadRef = { slackChannelId: string; slackThreadTs: string | null };

/**
 * Looks for a message this app already posted in the thread for the same interview, version
 * and kind (Slack message metadata). It closes the gap between chat.postMessage returning and
 * its ts being stored: a worker killed there finds its own post on the rerun. Reading the thread
 * needs the *:history scopes; without them this finds nothing and the stored ts is the only guard.
 */
async function findPostedMessage(
  slack: WebClient,
  where: TThreadRef,
  key: { interviewId: string; version: number; kind: string },
  logger: Logger,
): Promise<string | undefined> {
  if (!where.slackThreadTs) return undefined;
  try {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await slack.conversations.replies({
        channel: where.slackChannelId,
        ts: where.slackThreadTs,
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const m of res.messages ?? []) {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } })
          .metadata;
        const p = meta?.event_payload;
        if (
          meta?.event_type === EVALUATION_EVENT_TYPE &&
          p?.interview_id === key.interviewId &&
          Number(p?.version) === key.version &&
          p?.kind === key.kind &&
          m.ts
        )
          return m.ts;
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
  } catch (err) {
    logger.warn(
      { err: { message: (err as Error).message } },
      'could not read the thread to look for an earlier post',
    );
  }
  return undefined;
}

/**
 * Posts `message` in the thread, or updates the message already posted for it (`existingTs`,
 * or one found by its metadata). Returns the message's ts.
 */
export async function postOrUpdate(
  slack: WebClient,
  where: TThreadRef,
  message: TSlackMessage,
  existingTs: string | null,
  key: { interviewId: string; version: number; kind: string },
  logger: Logger,
  /** False when no earlier run can have posted it: skips reading the thread. */
  mayHavePosted = true,
): Promise<{ ts: string; isNew: boolean }> {
  const ts = existingTs ?? (mayHavePosted ? await findPostedMessage(slack, where, key, logger) : undefined);
  if (ts) {
    await slack.chat.update({
      channel: where.slackChannelId,
      ts,
      text: message.text,
      blocks: message.blocks,
    });
    return { ts, isNew: false };
  }
  const res = await slack.chat.postMessage({
    channel: where.slackChannelId,
    ...(where.slackThreadTs ? { thread_ts: where.slackThreadTs } : {}),
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    unfurl_media: false,
    ...(message.metadata ? { metadata: message.metadata } : {}),
  });
  if (!res.ts) throw new Error('chat.postMessage returned no ts');
  return { ts: res.ts, isNew: true };
}

/** The error stored on a version that could not run because no model is configured. */
export const NOT_CONFIGURED_ERROR = 'AI evaluation is not configured (no model).';

/** What the latest finished evaluation version says, for the root message's note. */
function evaluationOutcome(row: {
  version: number;
  status: string;
  result: unknown;
  error: string | null;
}): TRootEvaluation {
  const result = row.result as { kind?: string; recommendation?: TEvaluationResult['recommendation'] } | null;
  if (row.status === 'succeeded' && result?.kind === 'no_show') return { kind: 'no_show' };
  if (row.status === 'succeeded' && result?.recommendation)
    return { kind: 'evaluated', recommendation: result.recommendation, version: row.version };
  if (row.error === NOT_CONFIGURED_ERROR) return { kind: 'not_configured' };
  return { kind: 'failed' };
}

/** A Slack user's display name for plain text ("@hank"); the id when Slack does not say. */
async function displayName(slack: WebClient, userId: string): Promise<string> {
  try {
    const res = await slack.users.info({ user: userId });
    return res.user?.profile?.display_name || res.user?.real_name || res.user?.name || userId;
  } catch {
    return userId;
  }
}

/**
 * Rebuilds the scheduling message (the thread's root) with the booking code's own builder,
 * so its status field follows the interview, plus a note saying what the latest evaluation
 * found and which decision a person made (both, when a re-evaluation came after a decision).
 * Never fails the caller: the thread post is what matters, the root is a convenience.
 */
export async function updateSchedulingMessageStatus(
  deps: { prisma: PrismaClient; slack: WebClient },
  interviewId: string,
  logger: Logger,
): Promise<void> {
  try {
    const [latest, decision] = await Promise.all([
      deps.prisma.evaluation.findFirst({
        where: { interviewId, status: { not: 'pending' } },
        orderBy: { version: 'desc' },
        select: { version: true, status: true, result: true, error: true },
      }),
      loadDecision(deps.prisma, interviewId),
    ]);
    const note = rootStatusText({
      evaluation: latest ? evaluationOutcome(latest) : null,
      decision: decision
        ? {
            outcome: decision.outcome,
            by: await displayName(deps.slack, decision.userId),
            evaluationVersion: decision.evaluationVersion,
          }
        : null,
    });
    await refreshRootMessage(interviewId, deps, note || undefined);
  } catch (err) {
    logger.warn(
      { err: { message: (err as Error).message } },
      'could not update the scheduling message status',
    );
  }
}
