/**
 * Sends one candidate email (invite, update, cancel, reminder) exactly once per
 * (interview, kind, revision), whatever retries, duplicate jobs or crashed workers do.
 *
 * The protocol, around the EmailDelivery row (unique on interviewId + kind + revision):
 *   1. Claim: insert the row as `sending` (or move it `failed` → `sending`) with one
 *      conditional statement; only the claimer sends. `updatedAt` is when the claim was made.
 *      The insert is part of the statement that loads the interview (one round trip); an email
 *      that is no longer wanted (superseded, cancelled, removed) gives its new claim back at once,
 *      and whether it is wanted is decided before an existing row is looked at.
 *   2. Send with a deterministic Message-ID.
 *   3. Record `sent` + the server's Message-ID, then schedule reminders and note it in Slack.
 * A rerun reads the row first: `sent` → nothing to send (reminders are re-ensured, they dedupe
 * by job id); `failed` → claim and send again; `sending` → someone is sending or died sending.
 *
 * The crash window is between the server accepting the message and step 3. A rerun that finds a
 * `sending` claim younger than STALE_SENDING_MS assumes a live sender and retries later. One that
 * is older cannot know whether the message went out. We choose AT-MOST-ONCE there: the row
 * becomes `failed` with "unconfirmed", nothing is resent, and the recruiter's thread gets a note
 * with a Retry email button. Why: a worker dying exactly in that window is rare, the message most
 * likely was accepted (a crash before connecting fails fast and retries normally), and a
 * duplicate invite with a live link looks broken to a candidate; the recruiter can resend with
 * one click, and a resend reuses the Message-ID, UID and SEQUENCE, so even then mail and calendar
 * clients can merge the two.
 */

import { normalizeEmail } from '../../domain/email-address.js';
import { modelOffer } from '../../domain/model-offer.js';
import { interviewWindow } from '../../domain/window.js';
import type { Logger } from '../../infra/logger.js';
import type { TMailer } from '../../infra/mail/mailer.js';
import type { TEmailJob } from '../../infra/queue/catalogue.js';
import { jobId } from '../../infra/queue/catalogue.js';
import { threadOf } from '../../infra/slack/client.js';
import { candidatePageUrl } from '../candidate/links.js';
import { interviewNotice } from '../candidate/notice.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { claimAndLoad, markSent, releaseClaim, type TEmailInterview } from './delivery-store.js';
import { renderEmail, type TEmailKind } from './render.js';
import { failureWarning, linkForRecruiter, retryValue, sentNote, unconfirmedWarning } from './slack-notes.js';
import { classifySendFailure } from './smtp-failure.js';

export type TMailDeps = TServiceDeps & { mailer: TMailer };

/** A `sending` claim older than this belongs to a worker that died (see the protocol above). */
export const STALE_SENDING_MS = 60_000;

const HOUR_MS = 3_600_000;

export const REMINDERS: ReadonlyArray<{ kind: 'reminder_24h' | 'reminder_1h'; beforeMs: number }> = [
  { kind: 'reminder_24h', beforeMs: 24 * HOUR_MS },
  { kind: 'reminder_1h', beforeMs: HOUR_MS },
];

/** The job id of the email job for (interview, kind, revision): `email-<id>-<kind>-r<revision>`. */
export function emailJobId(interviewId: string, kind: TEmailKind, revision: number): string {
  return jobId('email', interviewId, kind, `r${revision}`);
}

/** The candidate's portal link. */
export function portalLink(publicUrl: string, sessionKey: string): string {
  return `${publicUrl}/interview?session_key=${encodeURIComponent(sessionKey)}`;
}

/** A send that failed. The message holds codes only (it reaches logs and Redis), never an address. */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly isPermanent: boolean,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}

export type TSendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'already_sent'; messageId: string | null }
  | { status: 'skipped'; reason: string }
  | { status: 'unconfirmed' };

type TCtx = { isFinalAttempt: boolean; logger: Logger };

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
  const claimedAt = deps.now();
  const claim = await claimAndLoad(deps.prisma, key, claimedAt);
  if (!claim) {
    log.info('email skipped: interview not found');
    return { status: 'skipped', reason: 'interview not found' };
  }
  const { interview, claimId } = claim;
  const irrelevant = await whyIrrelevant(job, interview, deps);
  const lacksKey = job.kind !== 'cancel' && !job.sessionKey;
  if (irrelevant || lacksKey) {
    // The load claimed the email in the same statement: give the claim back, leaving no row.
    if (claimId) await releaseClaim(deps.prisma, claimId);
    if (irrelevant) {
      log.info({ reason: irrelevant }, 'email skipped');
      return { status: 'skipped', reason: irrelevant };
    }
    throw new EmailSendError(`a ${job.kind} email job needs the session key`, true);
  }

  if (!claimId) {
    const row = await deps.prisma.emailDelivery.findUniqueOrThrow({
      where: { interviewId_kind_revision: key },
    });
    if (row.status === 'sent') {
      await afterSent(job, interview, deps, log);
      log.info('email already sent: nothing to do');
      return { status: 'already_sent', messageId: row.messageId };
    }
    if (row.status === 'sending') {
      const age = claimedAt.getTime() - row.updatedAt.getTime();
      // On the last attempt there is no later check: decide now rather than fail silently.
      if (age < STALE_SENDING_MS && !ctx.isFinalAttempt) {
        // Another attempt holds the claim and may be talking to the server right now.
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
      await postSafely(log, 'unconfirmed warning', async () => {
        const msg = unconfirmedWarning({
          kind: job.kind,
          candidate: interview.candidate,
          retryValue: retryValue(interview.id, job.kind, job.revision),
        });
        await deps.slack.chat.postMessage({ ...threadOf(interview), ...msg, unfurl_links: false });
      });
      return { status: 'unconfirmed' };
    }
    // failed: a retry (BullMQ's or the Retry email button) claims it again.
    const claimed = await deps.prisma.emailDelivery.updateMany({
      where: { id: row.id, status: 'failed' },
      data: { status: 'sending', attempts: { increment: 1 }, updatedAt: claimedAt },
    });
    if (claimed.count === 0) throw new EmailSendError('the email claim changed; will check again', false);
  }

  const link = job.sessionKey ? portalLink(deps.config.publicUrl, job.sessionKey) : undefined;
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
      await postSafely(log, 'failure warning', async () => {
        const msg = failureWarning({
          kind: job.kind,
          candidate: interview.candidate,
          description: failure.description,
          retryValue: retryValue(interview.id, job.kind, job.revision),
          hasLink: link !== undefined,
        });
        await deps.slack.chat.postMessage({ ...threadOf(interview), ...msg, unfurl_links: false });
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

  const sentAt = deps.now();
  // The row and the event log agree: one statement, one commit.
  await markSent(deps.prisma, key, messageId, sentAt, notice?.version);
  log.info({ messageId }, 'email sent');
  // The Slack note and the reminders are independent: do them side by side.
  await Promise.all([
    job.kind === 'invite' || job.kind === 'update' || job.kind === 'cancel'
      ? postSafely(log, 'sent note', async () => {
          const note = sentNote(job.kind, interview.candidate, sentAt);
          await deps.slack.chat.postMessage({ ...threadOf(interview), ...note, unfurl_links: false });
        })
      : undefined,
    afterSent(job, interview, deps, log),
  ]);
  return { status: 'sent', messageId };
}

async function wasInvited(deps: TMailDeps, interviewId: string): Promise<boolean> {
  const n = await deps.prisma.emailDelivery.count({
    where: { interviewId, kind: { in: ['invite', 'update'] }, status: 'sent' },
  });
  return n > 0;
}

/** After an invite or update for revision r: the reminders for r, unless already past. Idempotent. */
async function afterSent(job: TEmailJob, interview: TInterview, deps: TMailDeps, log: Logger): Promise<void> {
  if ((job.kind !== 'invite' && job.kind !== 'update') || !job.sessionKey) return;
  const now = deps.now().getTime();
  await Promise.all(
    REMINDERS.map(async (r) => {
      const delay = interview.scheduledStart.getTime() - r.beforeMs - now;
      if (delay <= 0) return;
      await deps.queues.enqueue(
        'email',
        { interviewId: interview.id, kind: r.kind, revision: job.revision, sessionKey: job.sessionKey },
        { jobId: emailJobId(interview.id, r.kind, job.revision), delay },
      );
    }),
  );
  log.debug('reminders scheduled');
}

/** Slack being down must not turn a sent email into a failed job (a retry would not resend anyway). */
async function postSafely(log: Logger, what: string, post: () => Promise<void>): Promise<void> {
  try {
    await post();
  } catch (err) {
    log.warn({ err: { message: (err as Error).message } }, `could not post the ${what} to Slack`);
  }
}
