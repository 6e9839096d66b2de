/**
 * A booking in two jobs. The booking job decides: it takes the seat (or learns why
 * not) in one statement and queues a notify job with the outcome. The notify job
 * tells Slack and queues the emails. Every step is safe to run again: the seat is
 * taken once (bookingRequestId / revision), the notify job has a deterministic id
 * (a rerun of the booking job queues it once), the root message is posted once (its
 * ts is stored conditionally, and a posting record lets a rerun find its own post),
 * notes are sent once (recorded as events), and follow-up jobs have deterministic ids.
 */
import type { KnownBlock } from '@slack/types';
import {
  buildBookingConfirmation,
  buildPrivateLinkMessage,
  buildSlotUnavailableMessage,
} from '../../block-kit/booking-messages.js';
import { slackDate } from '../../block-kit/format.js';
import { escapeMrkdwn } from '../../domain/escape.js';
import { jobId, type TBookingJob, type TNotifyJob } from '../../infra/queue/catalogue.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { bookInterview, type TBookOutcome } from './book-interview.js';
import {
  dmChannel,
  loadSummary,
  postInThread,
  postToRecruiter,
  refreshRootMessage,
} from './scheduling-message.js';
import { listOpenSlots } from './slots.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'slack' | 'queues' | 'config' | 'now' | 'logger'>;

export function portalLink(publicUrl: string, sessionKey: string): string {
  return `${publicUrl}/interview?session_key=${encodeURIComponent(sessionKey)}`;
}

/**
 * The notify job's id. A booking is told about once per interview revision (a rerun
 * that finds the interview booked queues the same id); a refusal once per request and
 * outcome (should a rerun find a seat freed meanwhile, the booking is told too).
 */
export function notifyJobId(request: Pick<TBookingJob, 'bookingRequestId'>, result: TBookOutcome): string {
  return result.outcome === 'booked' || result.outcome === 'duplicate'
    ? jobId('notify', result.interviewId, `r${result.revision}`)
    : jobId('notify', request.bookingRequestId, result.outcome);
}

/** The booking job: decides, then hands the telling to a notify job. */
export async function processBooking(
  job: TBookingJob,
  deps: Pick<TDeps, 'prisma' | 'queues' | 'now'>,
): Promise<TBookOutcome> {
  const result = await bookInterview(job, deps);
  await deps.queues.enqueue('notify', { request: job, result }, { jobId: notifyJobId(job, result) });
  return result;
}

/** The notify job: tells the recruiter how the booking went; for a booking, queues email and prepare. */
export async function notifyBooking({ request: job, result }: TNotifyJob, deps: TDeps): Promise<void> {
  if (result.outcome === 'unavailable') {
    const open = await listOpenSlots(deps.prisma, deps.now(), { limit: 10 });
    const message = buildSlotUnavailableMessage({
      candidateName: job.candidate.name,
      reason: result.reason,
      openSlots: open.slots,
      totalOpen: open.total,
    });
    if (job.reschedule) {
      const i = await deps.prisma.interview.findUnique({ where: { id: job.reschedule.interviewId } });
      if (i)
        await postInThread(
          i,
          { text: `Reschedule failed. ${message.text}`, blocks: message.blocks },
          deps.slack,
        );
    } else {
      await postToRecruiter(job.recruiter.userId, message, deps.slack);
    }
    return;
  }
  if (result.outcome === 'stale') {
    if (job.reschedule && result.reason !== 'not_found') {
      const i = await deps.prisma.interview.findUniqueOrThrow({ where: { id: job.reschedule.interviewId } });
      await postInThread(
        i,
        {
          text:
            result.reason === 'not_reschedulable'
              ? `This interview is ${i.status.replace('_', ' ')} and can no longer be rescheduled.`
              : 'This interview was already rescheduled in the meantime; nothing was changed.',
        },
        deps.slack,
      );
    }
    return;
  }

  const { interviewId, revision } = result;
  const summary = await loadSummary(deps.prisma, interviewId);
  const link = portalLink(deps.config.publicUrl, job.sessionKey);
  const isReschedule = Boolean(job.reschedule);

  if (!summary.threadTs) {
    const root = buildBookingConfirmation(summary);
    const posted = await postRootOnce(deps, interviewId, summary.channelId, job.recruiter.userId, root);
    // Store the thread only if no earlier run did; a concurrent duplicate run leaves its message unlinked.
    if (posted.ts) {
      await deps.prisma.interview.updateMany({
        where: { id: interviewId, slackThreadTs: null },
        data: { slackThreadTs: posted.ts, slackChannelId: posted.channel ?? summary.channelId },
      });
    }
  } else if (isReschedule) {
    await refreshRootMessage(interviewId, deps);
  }

  await onceFor(deps, interviewId, `notified.r${revision}`, async () => {
    const fresh = await deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    if (isReschedule) {
      await postInThread(
        fresh,
        {
          text: `:calendar: Rescheduled by <@${escapeMrkdwn(job.recruiter.userId)}> to ${slackDate(fresh.scheduledStart)}. The candidate gets an updated invite; the old link no longer works.`,
        },
        deps.slack,
      );
    }
    const privateNote = buildPrivateLinkMessage({
      candidateName: summary.candidateName,
      candidateEmail: summary.candidateEmail,
      link,
      isReschedule,
    });
    // A DM with the app is private already; anywhere else the link goes to the recruiter's DM.
    if (fresh.slackChannelId.startsWith('D')) {
      await postInThread(fresh, privateNote, deps.slack);
    } else {
      await postToRecruiter(job.recruiter.userId, privateNote, deps.slack);
    }
  });

  const kind = isReschedule ? 'update' : 'invite';
  await deps.queues.enqueue(
    'email',
    { interviewId, kind, revision, sessionKey: job.sessionKey },
    { jobId: jobId('email', interviewId, kind, `r${revision}`) },
  );
  await deps.queues.enqueue(
    'prepare',
    { interviewId, revision },
    { jobId: jobId('prepare', interviewId, `r${revision}`) },
  );
}

/**
 * Posts the scheduling message where the command came from. A private channel the
 * app was not invited to refuses it (not_in_channel): the booking stands, so the
 * message goes to the recruiter's DM instead, saying how to fix it next time.
 */
/** Slack message metadata on the scheduling message; a rerun finds its own post by it. */
export const ROOT_EVENT_TYPE = 'panelist_interview_scheduled';
const ROOT_POSTING = 'slack.root_posting';

/**
 * Posts the scheduling message once. chat.postMessage has no idempotency key, and a worker
 * killed after Slack accepted the post but before the ts was stored would post it again on
 * the rerun (fault suite, worker-kill). So the first run records that it is posting, and a
 * rerun that finds that record looks for its message in the channel (by metadata) first.
 */
async function postRootOnce(
  deps: TDeps,
  interviewId: string,
  channelId: string,
  recruiterId: string,
  root: { text: string; blocks: KnownBlock[] },
): Promise<{ ts?: string | undefined; channel?: string | undefined }> {
  const attempted = await deps.prisma.event.findFirst({
    where: { interviewId, type: ROOT_POSTING },
    select: { createdAt: true },
  });
  if (attempted) {
    const ts = await findRootPost(deps, channelId, interviewId, attempted.createdAt);
    if (ts) return { ts, channel: channelId };
  } else {
    await recordEvent(deps.prisma, { interviewId, type: ROOT_POSTING });
  }
  return postRoot(deps, channelId, recruiterId, {
    ...root,
    metadata: { event_type: ROOT_EVENT_TYPE, event_payload: { interview_id: interviewId } },
  });
}

async function findRootPost(
  deps: TDeps,
  channelId: string,
  interviewId: string,
  since: Date,
): Promise<string | undefined> {
  try {
    const res = await deps.slack.conversations.history({
      channel: channelId,
      // Slack's clock and ours may differ a little; a minute of slack costs nothing.
      oldest: String(Math.floor(since.getTime() / 1000) - 60),
      include_all_metadata: true,
      limit: 200,
    });
    for (const m of res.messages ?? []) {
      const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } })
        .metadata;
      if (meta?.event_type === ROOT_EVENT_TYPE && meta.event_payload?.interview_id === interviewId && m.ts)
        return m.ts;
    }
  } catch (err) {
    // Without the *:history scopes (or in a DM fallback) there is nothing to find: post again.
    deps.logger.warn(
      { interviewId, err: { message: (err as Error).message } },
      'could not look for an earlier scheduling message',
    );
  }
  return undefined;
}

async function postRoot(
  deps: TDeps,
  channelId: string,
  recruiterId: string,
  root: {
    text: string;
    blocks: KnownBlock[];
    metadata?: { event_type: string; event_payload: Record<string, string> };
  },
) {
  try {
    return await deps.slack.chat.postMessage({ channel: channelId, ...root, unfurl_links: false });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (!code || !['not_in_channel', 'channel_not_found', 'is_archived'].includes(code)) throw err;
    deps.logger.warn(
      { code },
      'cannot post in the channel; posting the confirmation to the recruiter instead',
    );
    return deps.slack.chat.postMessage({
      channel: await dmChannel(recruiterId, deps.slack),
      text: root.text,
      blocks: [
        ...root.blocks,
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `Panelist could not post in <#${channelId}> (${code}). Invite it there with \`/invite @Panelist\` to keep interviews in the channel.`,
            },
          ],
        },
      ],
      unfurl_links: false,
    });
  }
}

/** Runs `fn` once per (interview, key): the event log remembers that it ran. */
async function onceFor(
  deps: TDeps,
  interviewId: string,
  key: string,
  fn: () => Promise<void>,
): Promise<void> {
  const done = await deps.prisma.event.findFirst({ where: { interviewId, type: key }, select: { id: true } });
  if (done) return;
  await fn();
  await recordEvent(deps.prisma, { interviewId, type: key });
}
