/**
 * Deletion reaches Slack too (issue 14): once an interview's data is deleted (on request, by
 * /interview-delete or by retention), every message Panelist posted about it is edited with
 * chat.update to a redacted form that keeps only what an audit needs: the scheduling message
 * keeps the role, the time, the outcome and the date of deletion; an evaluation post keeps its
 * version and advisory recommendation; every other reply of Panelist's in the thread (email
 * notes, requests, decisions) says it was removed, and so does every message Panelist posted
 * about the interview elsewhere (the recruiter's DMs with the candidate's link, found through the
 * post records of slack-post-once.ts). People's own replies are theirs: a bot cannot edit them.
 *
 * Runs after the database deletion (the `slack_redaction` task, also chained after retention and
 * deletion requests). `Interview.slackRedactedAt` marks an interview done, so a Slack outage only
 * delays it to the next run, and a rerun edits nothing twice that matters (chat.update is
 * idempotent for the same content).
 */
import type { WebClient } from '@slack/web-api';
import {
  buildRedactedEvaluation,
  buildRedactedReply,
  buildRedactedRoot,
} from '../../block-kit/candidate-requests.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'slack' | 'now' | 'logger'>;

const BATCH = 50;
/** Slack errors that mean the message is not there to edit any more: nothing left to redact. */
const GONE = new Set([
  'message_not_found',
  'channel_not_found',
  'thread_not_found',
  'is_archived',
  'not_in_channel',
]);

function slackError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

/** The bot's own id, to recognise its messages in a thread (one auth.test per client). */
const botIds = new WeakMap<WebClient, Promise<string | undefined>>();
function botIdOf(slack: WebClient): Promise<string | undefined> {
  let id = botIds.get(slack);
  if (!id) {
    id = slack.auth.test().then((r) => r.bot_id as string | undefined);
    id.catch(() => botIds.delete(slack));
    botIds.set(slack, id);
  }
  return id;
}

/** chat.update that counts a message gone as done. */
async function update(
  slack: WebClient,
  channel: string,
  ts: string,
  message: { text: string; blocks: unknown[] },
): Promise<boolean> {
  try {
    await slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
    return true;
  } catch (err) {
    if (GONE.has(slackError(err) ?? '')) return false;
    throw err;
  }
}

async function threadReplies(slack: WebClient, channel: string, ts: string) {
  const out: Array<{ ts: string; bot_id?: string }> = [];
  let cursor: string | undefined;
  do {
    const res = await slack.conversations.replies({ channel, ts, limit: 200, ...(cursor ? { cursor } : {}) });
    for (const m of res.messages ?? [])
      if (m.ts && m.ts !== ts) out.push({ ts: m.ts, ...(m.bot_id ? { bot_id: m.bot_id } : {}) });
    cursor = res.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return out;
}

/** Redacts the Slack messages of one deleted interview; returns how many were edited. */
async function redactInterviewMessages(deps: TDeps, interviewId: string): Promise<number> {
  const interview = await deps.prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: {
      role: { select: { title: true } },
      evaluations: { select: { version: true, result: true, slackChannelId: true, slackMessageTs: true } },
    },
  });
  const deletedAt = interview.redactedAt ?? deps.now();
  const deleted = await deps.prisma.event.findFirst({
    where: { interviewId, type: 'data.deleted' },
    orderBy: { createdAt: 'desc' },
    select: { data: true },
  });
  const reason =
    (deleted?.data as { reason?: string } | null)?.reason === 'retention'
      ? 'retention period'
      : 'deletion request';
  const evaluationByTs = new Map(
    interview.evaluations.flatMap((e) => (e.slackMessageTs ? [[e.slackMessageTs, e] as const] : [])),
  );
  const done = new Set<string>();
  let edited = 0;
  const channel = interview.slackChannelId;
  if (interview.slackThreadTs) {
    const root = buildRedactedRoot({
      interviewId,
      roleTitle: interview.role.title,
      start: interview.scheduledStart,
      status: interview.status,
      deletedAt,
      reason,
    });
    if (await update(deps.slack, channel, interview.slackThreadTs, root)) edited++;
    done.add(interview.slackThreadTs);
    let replies: Array<{ ts: string; bot_id?: string }> = [];
    try {
      replies = await threadReplies(deps.slack, channel, interview.slackThreadTs);
    } catch (err) {
      if (!GONE.has(slackError(err) ?? '')) throw err;
    }
    const botId = await botIdOf(deps.slack);
    for (const reply of replies) {
      if (!reply.bot_id || (botId && reply.bot_id !== botId)) continue;
      const evaluation = evaluationByTs.get(reply.ts);
      const message = evaluation
        ? buildRedactedEvaluation({
            version: evaluation.version,
            recommendation: (evaluation.result as { recommendation?: string } | null)?.recommendation ?? null,
            deletedAt,
          })
        : buildRedactedReply(deletedAt);
      if (await update(deps.slack, channel, reply.ts, message)) edited++;
      done.add(reply.ts);
    }
  }
  // Evaluation posts outside the thread (none today, but the post records where it went).
  for (const e of interview.evaluations) {
    if (!e.slackMessageTs || done.has(e.slackMessageTs)) continue;
    const message = buildRedactedEvaluation({
      version: e.version,
      recommendation: (e.result as { recommendation?: string } | null)?.recommendation ?? null,
      deletedAt,
    });
    if (await update(deps.slack, e.slackChannelId ?? channel, e.slackMessageTs, message)) edited++;
    done.add(e.slackMessageTs);
  }
  // Everything else Panelist posted about it: the recruiter's DMs carrying the candidate's name
  // and link (postOnce records each post's channel and ts with the interview).
  const posts = await deps.prisma.slackPost.findMany({
    where: { interviewId, ts: { not: null }, channel: { not: null } },
    select: { channel: true, ts: true },
  });
  for (const p of posts) {
    if (!p.ts || !p.channel || done.has(p.ts)) continue;
    if (await update(deps.slack, p.channel, p.ts, buildRedactedReply(deletedAt))) edited++;
    done.add(p.ts);
  }
  return edited;
}

/**
 * Edits the Slack messages of every deleted interview not yet done. An interview whose Slack
 * calls fail stays for the next run (logged); the others are marked done.
 */
export async function redactSlackMessages(
  deps: TDeps,
): Promise<{ interviews: number; messages: number; failed: number }> {
  let interviews = 0;
  let messages = 0;
  let failed = 0;
  const failedIds: string[] = [];
  for (;;) {
    const due = await deps.prisma.interview.findMany({
      where: { redactedAt: { not: null }, slackRedactedAt: null, id: { notIn: failedIds } },
      select: { id: true },
      orderBy: { redactedAt: 'asc' },
      take: BATCH,
    });
    if (due.length === 0) break;
    for (const { id } of due) {
      try {
        const edited = await redactInterviewMessages(deps, id);
        await deps.prisma.interview.update({ where: { id }, data: { slackRedactedAt: deps.now() } });
        await recordEvent(deps.prisma, {
          interviewId: id,
          type: 'data.slack_redacted',
          data: { messages: edited },
        });
        interviews++;
        messages += edited;
      } catch (err) {
        failed++;
        failedIds.push(id);
        deps.logger.warn(
          { interviewId: id, err: { message: (err as Error).message } },
          'Slack messages not redacted yet; the next run retries',
        );
      }
    }
  }
  return { interviews, messages, failed };
}
