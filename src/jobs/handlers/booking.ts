import { userText } from '../../infra/slack/messages/format.js';
import { postToRecruiter } from '../../services/booking/notify.js';
import { processBooking } from '../../services/booking/process-booking.js';
import type { TServiceDeps } from '../../services/deps.js';
import type { TJobHandler } from '../worker.js';

export const bookingHandler =
  (deps: TServiceDeps): TJobHandler<'booking'> =>
  async (payload, ctx) => {
    try {
      const result = await processBooking(payload, deps);
      return result.outcome;
    } catch (err) {
      // The recruiter was told the booking was accepted: if it can never finish, say so
      // rather than let it vanish (fault suite: a long database outage exhausts the retries).
      if (ctx.isFinalAttempt) {
        const booked = await deps.prisma.interview
          .findUnique({ where: { bookingRequestId: payload.bookingRequestId }, select: { id: true } })
          .catch(() => null);
        const text = booked
          ? `:warning: ${userText(payload.candidate.name, 120)} is booked, but Panelist could not finish the confirmation (a service it needs did not answer). Check the interview in App Home; the invite email may need a resend.`
          : `:warning: Panelist could not book ${userText(payload.candidate.name, 120)}: a service it needs did not answer after several tries, and nothing was booked. Please run /schedule-interview again.`;
        await postToRecruiter(payload.recruiter.userId, { text }, deps.slack).catch((e) =>
          ctx.logger.error(
            { err: { message: (e as Error).message } },
            'could not tell the recruiter a booking failed',
          ),
        );
      }
      throw err;
    }
  };
