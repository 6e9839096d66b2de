/**
 * A booking in two jobs. The booking job decides: it takes its submission attempt (a refused one is
 * never booked), takes the seat (or learns why not) in one statement and queues a notify job with
 * the outcome. The notify job tells Slack and queues the emails. Every step is safe to run again:
 * the seat is taken once (bookingRequestId / revision), the notify job has a deterministic id (a
 * rerun of the booking job queues it once), every Slack post is made once (postOnce: recorded
 * before, looked up on a rerun), and follow-up jobs have deterministic ids.
 */
import type { KnownBlock } from '@slack/types';
import {
  buildBookingConfirmation,
  buildPrivateLinkMessage,
  buildSlotUnavailableMessage,
} from '../../block-kit/booking-messages.js';
import { slackDate } from '../../block-kit/format.js';
import { escapeMrkdwn } from '../../domain/escape.js';
import type { TBookingJob } from '../../infra/queue/jobs/booking.js';
import { enqueueEmail } from '../../infra/queue/jobs/email.js';
import { enqueueNotify, type TNotifyJob } from '../../infra/queue/jobs/notify.js';
import { enqueuePrepare } from '../../infra/queue/jobs/prepare.js';
import type { TServiceDeps } from '../deps.js';
import { candidateLinkOf } from '../interview/candidate-link.js';
import { postOnce, type TPostMessage } from '../slack-post-once.js';
import { bookInterview, type TBookOutcome } from './book-interview.js';
import { loadBookingRequest, takeBookingRequest } from './booking-request.js';
import { dmChannel, loadSummary, refreshRootMessage } from './scheduling-message.js';
import { listOpenSlots } from './slots.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'slack' | 'queues' | 'config' | 'now' | 'logger' | 'faultPoint'>;

/** What the booking job did: a decision, or nothing because its attempt was refused or superseded. */
export type TBookingJobOutcome = TBookOutcome | { outcome: 'refused' };

/** The booking job: takes its attempt, decides, then hands the telling to a notify job. */
export async function processBooking(
  job: TBookingJob,
  deps: Pick<TServiceDeps, 'prisma' | 'queues' | 'now' | 'config' | 'faultPoint'>,
): Promise<TBookingJobOutcome> {
  const request = await takeBookingRequest(deps.prisma, job.bookingRequestId, job.attempt);
  // The recruiter was told this attempt was not queued (or submitted the form again since).
  if (!request) return { outcome: 'refused' };
  await deps.faultPoint?.('booking.before_deciding');
  const result = await bookInterview(request, deps);
  await deps.faultPoint?.('booking.after_deciding');
  await enqueueNotify(deps.queues, { bookingRequestId: request.id, result });
  return result;
}

/** Where a message only the recruiter sees goes: their DM with the app. */
async function recruiterDm(deps: TDeps, userId: string): Promise<string> {
  return dmChannel(userId, deps.slack);
}

/** The notify job: tells the recruiter how the booking went; for a booking, queues email and prepare. */
export async function notifyBooking({ bookingRequestId, result }: TNotifyJob, deps: TDeps): Promise<void> {
  const job = await loadBookingRequest(deps.prisma, bookingRequestId);
  if (!job) {
    // Deleted with the candidate's data: there is no one left to tell about it.
    deps.logger.info({ bookingRequestId }, 'notify skipped: the booking request was deleted');
    return;
  }
  if (result.outcome === 'unavailable') {
    const open = await listOpenSlots(deps.prisma, deps.now(), { limit: 10 });
    const message = buildSlotUnavailableMessage({
      candidateName: job.candidate.name,
      reason: result.reason,
      openSlots: open.slots,
      totalOpen: open.total,
    });
    const key = `unavailable:${bookingRequestId}:${result.reason}`;
    if (job.reschedule) {
      const i = await deps.prisma.interview.findUnique({ where: { id: job.reschedule.interviewId } });
      if (i)
        await postOnce(deps, {
          key,
          interviewId: i.id,
          channel: i.slackChannelId,
          threadTs: i.slackThreadTs ?? undefined,
          message: { text: `Reschedule failed. ${message.text}`, blocks: message.blocks },
        });
    } else {
      await postOnce(deps, { key, channel: await recruiterDm(deps, job.recruiter.userId), message });
    }
    return;
  }
  if (result.outcome === 'stale') {
    if (job.reschedule && result.reason !== 'not_found') {
      const i = await deps.prisma.interview.findUniqueOrThrow({ where: { id: job.reschedule.interviewId } });
      await postOnce(deps, {
        key: `stale:${bookingRequestId}`,
        interviewId: i.id,
        channel: i.slackChannelId,
        threadTs: i.slackThreadTs ?? undefined,
        message: {
          text:
            result.reason === 'not_reschedulable'
              ? `This interview is ${i.status.replace('_', ' ')} and can no longer be rescheduled.`
              : 'This interview was already rescheduled in the meantime; nothing was changed.',
        },
      });
    }
    return;
  }

  const { interviewId, revision } = result;
  const summary = await loadSummary(deps.prisma, interviewId);
  const isReschedule = Boolean(job.reschedule);

  if (!summary.threadTs) {
    const root = buildBookingConfirmation(summary);
    const posted = await postOnce(deps, {
      key: `root:${interviewId}`,
      interviewId,
      channel: summary.channelId,
      message: root,
      metadata: { event_type: ROOT_EVENT_TYPE, event_payload: { interview_id: interviewId } },
      post: (a) => postRoot(deps, a.channel, job.recruiter.userId, { ...root, metadata: a.metadata }),
    });
    // Store the thread only if no earlier run did.
    await deps.faultPoint?.('notify.after_posting');
    if (posted.ts) {
      await deps.prisma.interview.updateMany({
        where: { id: interviewId, slackThreadTs: null },
        data: { slackThreadTs: posted.ts, slackChannelId: posted.channel ?? summary.channelId },
      });
    }
  } else if (isReschedule) {
    await refreshRootMessage(interviewId, deps);
  }

  const fresh = await deps.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
  const inThread = {
    interviewId,
    channel: fresh.slackChannelId,
    threadTs: fresh.slackThreadTs ?? undefined,
  };
  if (isReschedule) {
    await postOnce(deps, {
      ...inThread,
      key: `rescheduled:${interviewId}:r${revision}`,
      message: {
        text: `:calendar: Rescheduled by <@${escapeMrkdwn(job.recruiter.userId)}> to ${slackDate(fresh.scheduledStart)}. The candidate gets an updated invite; the old link no longer works.`,
      },
    });
  }
  const link = candidateLinkOf(deps.config, fresh);
  if (link) {
    const privateNote: TPostMessage = buildPrivateLinkMessage({
      candidateName: summary.candidateName,
      candidateEmail: summary.candidateEmail,
      link,
      isReschedule,
    });
    // A DM with the app is private already; anywhere else the link goes to the recruiter's DM.
    const key = `link:${interviewId}:r${revision}`;
    if (fresh.slackChannelId.startsWith('D'))
      await postOnce(deps, { ...inThread, key, message: privateNote });
    else
      await postOnce(deps, {
        key,
        interviewId,
        channel: await recruiterDm(deps, job.recruiter.userId),
        message: privateNote,
      });
  }

  await deps.faultPoint?.('notify.before_queueing_email');
  await enqueueEmail(deps.queues, { interviewId, kind: isReschedule ? 'update' : 'invite', revision });
  await enqueuePrepare(deps.queues, { interviewId, revision });
}

/** Slack message metadata on the scheduling message (besides the post key postOnce adds). */
export const ROOT_EVENT_TYPE = 'panelist_interview_scheduled';

async function postRoot(
  deps: TDeps,
  channelId: string,
  recruiterId: string,
  root: {
    text: string;
    blocks: KnownBlock[];
    metadata?: { event_type: string; event_payload: Record<string, string> };
  },
): Promise<{ ts?: string | undefined; channel?: string | undefined }> {
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
      ...(root.metadata ? { metadata: root.metadata } : {}),
      unfurl_links: false,
    });
  }
}
