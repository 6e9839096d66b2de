/**
 * The email queue: invites, updates, cancellations and reminders (services/email/send-email.ts
 * holds the exactly-once protocol). A permanent SMTP failure (5xx) stops at once; anything else
 * retries with the catalogue's exponential backoff.
 */
import { UnrecoverableError } from 'bullmq';
import type { TMailer } from '../../infra/mail/mailer.js';
import type { TServiceDeps } from '../../services/deps.js';
import { EmailSendError, sendInterviewEmail, type TMailDeps } from '../../services/email/send-email.js';
import type { TJobHandler } from '../worker.js';

/**
 * `mailer` is optional in the worker deps so that processes and tests that never send mail need
 * not build one; an email job reaching a worker without it fails (and retries) with a clear reason.
 */
export function emailHandler(deps: TServiceDeps & { mailer?: TMailer | undefined }): TJobHandler<'email'> {
  const { mailer } = deps;
  return async (payload, ctx) => {
    if (!mailer)
      throw new Error('this worker has no mailer: pass deps.mailer (createMailer) to startWorkers');
    const mailDeps: TMailDeps = { ...deps, mailer };
    try {
      return await sendInterviewEmail(payload, mailDeps, { ...ctx, jobId: ctx.job.id });
    } catch (err) {
      if (err instanceof EmailSendError && err.isPermanent) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
