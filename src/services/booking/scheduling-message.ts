/**
 * Slack side of an interview's life: the root scheduling message (kept in step
 * with the interview's status), thread replies, and private notes to the recruiter.
 */
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { buildBookingConfirmation, type TInterviewSummary } from '../../block-kit/booking-messages.js';
import { endedClause, isEndedEarly, tallyTranscript } from '../../domain/interview-end.js';
import type { PrismaClient } from '../../generated/prisma/client.js';

export async function loadSummary(
  prisma: PrismaClient,
  interviewId: string,
): Promise<
  TInterviewSummary & {
    channelId: string;
    threadTs: string | null;
    candidateEmail: string;
  }
> {
  const i = await prisma.interview.findUniqueOrThrow({
    where: { id: interviewId },
    include: { candidate: true, role: true },
  });
  return {
    ...(await endedEarly(prisma, i)),
    interviewId: i.id,
    candidateName: i.candidate.name,
    candidateEmail: i.candidate.email,
    roleTitle: i.role.title,
    start: i.scheduledStart,
    durationMinutes: Math.round((i.scheduledEnd.getTime() - i.scheduledStart.getTime()) / 60_000),
    candidateTimeZone: i.candidate.timeZone,
    recruiterUserId: i.recruiterSlackUser,
    notes: i.notes,
    status: i.status,
    revision: i.revision,
    channelId: i.slackChannelId,
    threadTs: i.slackThreadTs,
  };
}

/** "ended early after 1 of 3 questions" for an interview that ended before its plan did. */
async function endedEarly(
  prisma: PrismaClient,
  i: { id: string; status: string; endReason: string | null; questionPlan: unknown },
): Promise<{ ended?: string }> {
  if (!['completed', 'evaluated', 'failed'].includes(i.status) || !Array.isArray(i.questionPlan)) return {};
  const turns = await prisma.interviewTurn.findMany({
    where: { interviewId: i.id },
    select: { isFollowUp: true, answeredAt: true },
  });
  const tally = tallyTranscript({ turns, plannedQuestions: i.questionPlan.length });
  return isEndedEarly(tally) ? { ended: endedClause(i.endReason, tally) } : {};
}

/** Rewrites the root message from the interview as it is now (status, time, buttons). */
export async function refreshRootMessage(
  interviewId: string,
  deps: { prisma: PrismaClient; slack: WebClient },
  statusNote?: string,
): Promise<void> {
  const s = await loadSummary(deps.prisma, interviewId);
  if (!s.threadTs) return;
  const message = buildBookingConfirmation({ ...s, statusNote });
  await deps.slack.chat.update({ channel: s.channelId, ts: s.threadTs, ...message });
}

export async function postInThread(
  interview: { slackChannelId: string; slackThreadTs: string | null },
  message: { text: string; blocks?: KnownBlock[] },
  slack: WebClient,
): Promise<string | undefined> {
  const res = await slack.chat.postMessage({
    channel: interview.slackChannelId,
    ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    unfurl_links: false,
  });
  return res.ts;
}

/**
 * DM channel ids by client and user. The id of a bot's DM with a user never changes, so
 * conversations.open (a call per note, and a Tier 3 method) is needed once per process.
 */
const dmChannels = new WeakMap<WebClient, Map<string, string>>();
const DM_CACHE_MAX = 5000;

export async function dmChannel(userId: string, slack: WebClient): Promise<string> {
  let known = dmChannels.get(slack);
  if (!known) {
    known = new Map();
    dmChannels.set(slack, known);
  }
  const cached = known.get(userId);
  if (cached) return cached;
  const dm = await slack.conversations.open({ users: userId });
  const channel = dm.channel?.id;
  if (!channel) throw new Error('Slack did not open a DM with the recruiter');
  if (known.size >= DM_CACHE_MAX) known.delete(known.keys().next().value!);
  known.set(userId, channel);
  return channel;
}

/** A message only the recruiter sees: in their DM with the app. */
export async function postToRecruiter(
  userId: string,
  message: { text: string; blocks?: KnownBlock[] },
  slack: WebClient,
): Promise<void> {
  const post = (channel: string) =>
    slack.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      unfurl_links: false,
    });
  const channel = await dmChannel(userId, slack);
  try {
    await post(channel);
  } catch (err) {
    // A cached id that Slack no longer knows (the workspace was reinstalled): open it afresh, once.
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code !== 'channel_not_found' && code !== 'is_archived') throw err;
    dmChannels.get(slack)?.delete(userId);
    await post(await dmChannel(userId, slack));
  }
}
