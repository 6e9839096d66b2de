import { userText } from '../../block-kit/format.js';
import type { TBookingJob } from '../../infra/queue/jobs/booking.js';
import { loadBookingRequest } from '../../services/booking/booking-request.js';
import { bookedInterviewId } from '../../services/booking/interviews.js';
import { notifyBooking, processBooking } from '../../services/booking/process-booking.js';
import { dmChannel, postToRecruiter } from '../../services/booking/scheduling-message.js';
import type { TServiceDeps } from '../../services/deps.js';
import { postOnce } from '../../services/slack-post-once.js';
import type { TJobContext, TJobHandler } from '../worker.js';

/** Decides the booking (seat or reason) and queues the notify job that tells Slack. */
export const bookingHandler =
  (deps: TServiceDeps): TJobHandler<'booking'> =>
  async (payload, ctx) => {
    try {
      return (await processBooking(payload, deps)).outcome;
    } catch (err) {
      if (ctx.isFinalAttempt) await tellRecruiterItFailed(payload.bookingRequestId, deps, ctx);
      throw err;
    }
  };

/** Posts the scheduling message and the recruiter's notes, then queues email and prepare. */
export const notifyHandler =
  (deps: TServiceDeps): TJobHandler<'notify'> =>
  async (payload, ctx) => {
    try {
      await notifyBooking(payload, deps);
      return payload.result.outcome;
    } catch (err) {
      // A refusal that could not be told cannot be told this way either; a booking can.
      const isBooking = payload.result.outcome === 'booked' || payload.result.outcome === 'duplicate';
      if (ctx.isFinalAttempt && isBooking) await tellRecruiterItFailed(payload.bookingRequestId, deps, ctx);
      throw err;
    }
  };

/**
 * The recruiter was told the booking was accepted: if it can never finish, say so
 * rather than let it vanish (fault suite: a long database outage exhausts the retries).
 */
async function tellRecruiterItFailed(
  bookingRequestId: TBookingJob['bookingRequestId'],
  deps: TServiceDeps,
  ctx: TJobContext,
) {
  try {
    const request = await loadBookingRequest(deps.prisma, bookingRequestId);
    if (!request) return;
    const bookedId = await bookedInterviewId(deps, bookingRequestId);
    const text = bookedId
      ? `:warning: ${userText(request.candidate.name, 120)} is booked, but Panelist could not finish the confirmation (a service it needs did not answer). Check the interview in App Home; the invite email may need a resend.`
      : `:warning: Panelist could not book ${userText(request.candidate.name, 120)}: a service it needs did not answer after several tries, and nothing was booked. Please run /schedule-interview again.`;
    await postOnce(deps, {
      key: `booking-failed:${bookingRequestId}`,
      ...(bookedId ? { interviewId: bookedId } : {}),
      channel: await dmChannel(request.recruiter.userId, deps.slack),
      message: { text },
    });
  } catch (e) {
    ctx.logger.error(
      { err: { message: (e as Error).message } },
      'could not tell the recruiter a booking failed',
    );
  }
}
