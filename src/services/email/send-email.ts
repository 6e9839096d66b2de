/**
 * Sends one candidate email (invite, update, cancel, reminder) exactly once per
 * (interview, kind, revision), whatever retries, duplicate jobs or crashed workers do.
 *
 * The protocol, around the EmailDelivery row (unique on interviewId + kind + revision):
 *   1. Claim: insert the row as `preparing` (or move it `failed`/`preparing` → `preparing`) with one
 *      conditional statement; only the claimer goes on. `updatedAt` is the claim's token. The insert
 *      is part of the statement that loads the interview (one round trip); an email that is no
 *      longer wanted (superseded, cancelled, removed) gives its new claim back at once.
 *   2. Render (text, HTML, calendar file; the link from the key sealed on the interview row).
 *   3. Mark `sending` (preparing → sending, for this claim only), just before the message is
 *      handed to the server; send with a deterministic Message-ID.
 *   4. Record `sent` + the server's Message-ID, then schedule reminders and note it in Slack (once:
 *      postOnce). A rerun that finds `sent` re-ensures both (they dedupe).
 *
 * A crash anywhere before step 3 leaves `preparing`: the rerun takes the claim over and sends.
 * The at-most-once window is the SMTP transaction itself (between 3 and 4): the server may or may
 * not have the message. A rerun that finds `sending` left by a run of its own job (whose lock it
 * inherited, so that run is gone) or older than STALE_SENDING_MS decides at once: the row becomes
 * `failed` with "unconfirmed", nothing is resent, reminders are scheduled (the invite most likely
 * went out), and the recruiter's thread gets a note with a Retry email button. Why not resend: a
 * worker dying exactly inside the SMTP transaction is rare, the message most likely was accepted,
 * and a duplicate invite with a live link looks broken to a candidate; a resend reuses the
 * Message-ID, UID and SEQUENCE, so even then mail and calendar clients can merge the two.
 */

import { normalizeEmail } from '../../domain/email-address.js';
import { AppError } from '../../domain/errors.js';
import { modelOffer } from '../../domain/model-offer.js';
import { interviewWindow } from '../../domain/window.js';
import type { Logger } from '../../infra/logger.js';
import type { TMailer } from '../../infra/mail/mailer.js';
import { enqueueEmail, type TEmailJob } from '../../infra/queue/jobs/email.js';
import { threadOf } from '../../infra/slack/client.js';
import { candidatePageUrl } from '../candidate/links.js';
import { interviewNotice } from '../candidate/notice.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { candidateLinkOf } from '../interview/candidate-link.js';
import { postOnce } from '../slack-post-once.js';
import { claimAndLoad, markSending, markSent, releaseClaim, type TEmailInterview } from './delivery-store.js';
import { renderEmail } from './render.js';
import { failureWarning, linkForRecruiter, retryValue, sentNote, unconfirmedWarning } from './slack-notes.js';
import { classifySendFailure } from './smtp-failure.js';

export type TMailDeps = TServiceDeps & { mailer: TMailer };

/** A `sending` claim of another job older than this belongs to a worker that died (see above). */
export const STALE_SENDING_MS = 60_000;

const HOUR_MS = 3_600_000;

export const REMINDERS: ReadonlyArray<{ kind: 'reminder_24h' | 'reminder_1h'; beforeMs: number }> = [
  { kind: 'reminder_24h', beforeMs: 24 * HOUR_MS },
  { kind: 'reminder_1h', beforeMs: HOUR_MS },
];

/**
 * A send that failed: the `email_failed` AppError, with whether retrying can help.
 * The message holds codes only (it reaches logs and Redis), never an address.
 */
export class EmailSendError extends AppError {
  constructor(
    message: string,
    readonly isPermanent: boolean,
  ) {
    super('email_failed', message, { isPermanent });
    this.name = 'EmailSendError';
  }
}

export type TSendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'already_sent'; messageId: string | null }
  | { status: 'skipped'; reason: string }
  | { status: 'unconfirmed' };

type TCtx = {
  isFinalAttempt: boolean;
  logger: Logger;
  /** The BullMQ job running this send (its id is the same on every attempt and rerun). */
  jobId?: string | undefined;
};

type TInterview = TEmailInterview;

/** Why this email should not go out any more, or null when it should. */
async function whyIrrelevant(job: TEmailJob, interview: TInterview, deps: TMailDeps): Promise<string | null> {
  if (interview.redactedAt) return 'interview data was removed';
  if (job.kind === 'cancel') {
    if (interview.status !== 'cancelled') return 'interview is not cancelled';
    const told = await deps.prisma.emailDelivery.count({
      where: { interviewId: interview.id, kind: { in: ['invite', 'update'] }, status: 'sent' },
    });
    return told === 0 ? 'the candidate was never sent an invite' : null;
  }
  if (job.revision !== interview.revision) return `superseded by revision ${interview.revision}`;
  if (interview.status !== 'scheduled') return `interview is ${interview.status}`;
  if (job.kind === 'reminder_24h' || job.kind === 'reminder_1h') {
    if (interview.scheduledStart.getTime() <= deps.now().getTime()) return 'interview already started';
  }
  return null;
}

/** Sends the email a job asks for, following the exactly-once protocol above. */
export async function sendInterviewEmail(job: TEmailJob, deps: TMailDeps, ctx: TCtx): Promise<TSendOutcome> {
  const log = ctx.logger.child({ interviewId: job.interviewId, kind: job.kind, revision: job.revision });
  const key = { interviewId: job.interviewId, kind: job.kind, revision: job.revision };
  const claimer = ctx.jobId ?? 'direct';
  await deps.faultPoint?.('email.before_claim');
  let claimedAt = deps.now();
  const claim = await claimAndLoad(deps.prisma, key, claimedAt, claimer);
  if (!claim) {
    log.info('email skipped: interview not found');
    return { status: 'skipped', reason: 'interview not found' };
  }
  const { interview, claimId } = claim;
  const irrelevant = await whyIrrelevant(job, interview, deps);
  const lacksKey = job.kind !== 'cancel' && !interview.sessionKeySealed;
  if (irrelevant || lacksKey) {
    // The load claimed the email in the same statement: give the claim back, leaving no row.
    if (claimId) await releaseClaim(deps.prisma, claimId);
    if (irrelevant) {
      log.info({ reason: irrelevant }, 'email skipped');
      return { status: 'skipped', reason: irrelevant };
    }
    throw new EmailSendError(
      `a ${job.kind} email needs the candidate's key, and the interview has none`,
      true,
    );
  }

  if (!claimId) {
    const row = await deps.prisma.emailDelivery.findUniqueOrThrow({
      where: { interviewId_kind_revision: key },
    });
    if (row.status === 'sent') {
      // A run that died after recording: the note and the reminders are made once, whoever makes them.
      await afterSent(job, interview, deps, log, row.sentAt ?? claimedAt);
      log.info('email already sent: nothing to send');
      return { status: 'already_sent', messageId: row.messageId };
    }
    if (row.status === 'sending') {
      const age = claimedAt.getTime() - row.updatedAt.getTime();
      const isPredecessorGone = row.claimJobId === claimer;
      // On the last attempt there is no later check: decide now rather than fail silently.
      if (!isPredecessorGone && age < STALE_SENDING_MS && !ctx.isFinalAttempt) {
        // Another job holds the claim and may be talking to the server right now.
        throw new EmailSendError('another attempt is sending this email; will check again', false);
      }
      const taken = await deps.prisma.emailDelivery.updateMany({
        where: { id: row.id, status: 'sending', updatedAt: row.updatedAt },
        data: {
          status: 'failed',
          lastError: 'unconfirmed: the sender stopped before the server confirmed the message',
          updatedAt: claimedAt,
        },
      });
      if (taken.count === 0) throw new EmailSendError('the email claim changed; will check again', false);
      log.warn({ ageMs: age }, 'email send was interrupted; not resending automatically (at-most-once)');
      await recordEvent(deps.prisma, {
        interviewId: interview.id,
        type: 'email.unconfirmed',
        data: { kind: job.kind, revision: job.revision },
      });
      await Promise.all([
        postSafely(log, 'unconfirmed warning', () =>
          postOnce(deps, {
            ...inThread(interview),
            key: `email-unconfirmed:${interview.id}:${job.kind}:r${job.revision}:${row.attempts}`,
            message: unconfirmedWarning({
              kind: job.kind,
              candidate: interview.candidate,
              retryValue: retryValue(interview.id, job.kind, job.revision),
            }),
          }),
        ),
        // It most likely went out: the candidate should still be reminded.
        scheduleReminders(job, interview, deps, log),
      ]);
      return { status: 'unconfirmed' };
    }
    // preparing (its claimer died before handing it over) or failed: claim it again.
    const claimed = await deps.prisma.emailDelivery.updateMany({
      where: { id: row.id, status: row.status, updatedAt: row.updatedAt },
      data: {
        status: 'preparing',
        claimJobId: claimer,
        attempts: { increment: 1 },
        updatedAt: claimedAt,
      },
    });
    if (claimed.count === 0) throw new EmailSendError('the email claim changed; will check again', false);
  }

  const link = job.kind === 'cancel' ? undefined : candidateLinkOf(deps.config, interview);
  const recruiterEmail = interview.recruiterEmail ? normalizeEmail(interview.recruiterEmail) : null;
  const now = deps.now();
  // Every email with the interview link carries the candidate notice; every email links to the data page.
  const notice = link
    ? interviewNotice(deps.config, {
        interview,
        roleTitle: interview.role.title,
        competencies: interview.role.competencies,
        hasModel: modelOffer(deps.config.ai).evaluates,
        now,
      })
    : undefined;
  const message = renderEmail({
    kind: job.kind,
    isFirstNotice: job.kind === 'update' && !(await wasInvited(deps, interview.id)),
    interviewId: interview.id,
    revision: job.revision,
    candidate: interview.candidate,
    roleTitle: interview.role.title,
    companyName: deps.config.mail.companyName,
    start: interview.scheduledStart,
    end: interview.scheduledEnd,
    link,
    window: interviewWindow(interview.scheduledStart, interview.scheduledEnd, deps.config.interview),
    recruiterEmail,
    from: deps.config.mail.from,
    now,
    notice,
    dataLink: candidatePageUrl(deps.config, 'data', interview, now),
    isHumanAlternative: job.kind === 'cancel' && interview.aiOptOutAt !== null,
    offer: modelOffer(deps.config.ai),
  });
  await deps.faultPoint?.('email.before_sending');

  // The at-most-once window opens here and closes at markSent.
  const sendingAt = new Date(Math.max(deps.now().getTime(), claimedAt.getTime() + 1));
  if (!(await markSending(deps.prisma, key, claimedAt, sendingAt)))
    throw new EmailSendError('the email claim changed; will check again', false);
  claimedAt = sendingAt;
  let messageId: string;
  try {
    messageId = (await deps.mailer.send(message)).messageId;
  } catch (err) {
    const failure = classifySendFailure(err, interview.candidate.email);
    await deps.prisma.emailDelivery.update({
      where: { interviewId_kind_revision: key },
      data: { status: 'failed', lastError: failure.code },
    });
    const isFinal = failure.isPermanent || ctx.isFinalAttempt;
    log.warn({ code: failure.code, permanent: failure.isPermanent, final: isFinal }, 'email send failed');
    if (isFinal) {
      await recordEvent(deps.prisma, {
        interviewId: interview.id,
        type: 'email.failed',
        data: { kind: job.kind, revision: job.revision, code: failure.code },
      });
      const attempts = (
        await deps.prisma.emailDelivery.findUnique({
          where: { interviewId_kind_revision: key },
          select: { attempts: true },
        })
      )?.attempts;
      await postSafely(log, 'failure warning', async () => {
        await postOnce(deps, {
          ...inThread(interview),
          key: `email-failed:${interview.id}:${job.kind}:r${job.revision}:${attempts ?? 0}`,
          message: failureWarning({
            kind: job.kind,
            candidate: interview.candidate,
            description: failure.description,
            retryValue: retryValue(interview.id, job.kind, job.revision),
            hasLink: link !== undefined,
          }),
        });
        // Ephemeral: only the recruiter sees it, and Slack keeps no copy a rerun could find.
        if (link) {
          await deps.slack.chat.postEphemeral({
            ...threadOf(interview),
            user: interview.recruiterSlackUser,
            text: linkForRecruiter(interview.candidate.name, link),
          });
        }
      });
    }
    throw new EmailSendError(`email send failed (${failure.code})`, failure.isPermanent);
  }
  await deps.faultPoint?.('email.after_sending');

  const sentAt = deps.now();
  // The row and the event log agree: one statement, one commit.
  await markSent(deps.prisma, key, messageId, sentAt, notice?.version);
  log.info({ messageId }, 'email sent');
  await deps.faultPoint?.('email.after_recording');
  await afterSent(job, interview, deps, log, sentAt);
  return { status: 'sent', messageId };
}

function inThread(interview: TInterview) {
  return {
    interviewId: interview.id,
    channel: interview.slackChannelId,
    threadTs: interview.slackThreadTs ?? undefined,
  };
}

/** After a send: the Slack note (invite, update, cancel) and the reminders, side by side; each once. */
async function afterSent(job: TEmailJob, interview: TInterview, deps: TMailDeps, log: Logger, sentAt: Date) {
  await Promise.all([
    // Not swallowed: if Slack fails, the job is retried, and the rerun (finding `sent`) posts it.
    job.kind === 'invite' || job.kind === 'update' || job.kind === 'cancel'
      ? postOnce(deps, {
          ...inThread(interview),
          key: `email-sent:${interview.id}:${job.kind}:r${job.revision}`,
          message: sentNote(job.kind, interview.candidate, sentAt),
        })
      : undefined,
    scheduleReminders(job, interview, deps, log),
  ]);
}

async function wasInvited(deps: TMailDeps, interviewId: string): Promise<boolean> {
  const n = await deps.prisma.emailDelivery.count({
    where: { interviewId, kind: { in: ['invite', 'update'] }, status: 'sent' },
  });
  return n > 0;
}

/** After an invite or update for revision r: the reminders for r, unless already past. Idempotent. */
async function scheduleReminders(job: TEmailJob, interview: TInterview, deps: TMailDeps, log: Logger) {
  if (job.kind !== 'invite' && job.kind !== 'update') return;
  const now = deps.now().getTime();
  await Promise.all(
    REMINDERS.map(async (r) => {
      const delay = interview.scheduledStart.getTime() - r.beforeMs - now;
      if (delay <= 0) return;
      await enqueueEmail(
        deps.queues,
        { interviewId: interview.id, kind: r.kind, revision: job.revision },
        { delay },
      );
    }),
  );
  log.debug('reminders scheduled');
}

/** Slack being down must not turn a sent email into a failed job (a retry would not resend anyway). */
async function postSafely(log: Logger, what: string, post: () => Promise<unknown>): Promise<void> {
  try {
    await post();
  } catch (err) {
    log.warn({ err: { message: (err as Error).message } }, `could not post the ${what} to Slack`);
  }
}
