/**
 * The Retry email button: puts the email's own BullMQ job back in the queue, or queues it afresh
 * when it has expired (the job carries ids only: the link comes from the key sealed on the
 * interview). Clicking twice cannot send twice: a job can only be moved back from failed/completed
 * once, and the send protocol claims an email once and skips a sent one.
 */
import { escapeMrkdwn } from '../../domain/escape.js';
import type { TEmailKind } from '../../infra/queue/jobs/email.js';
import { emailJobId, enqueueEmail } from '../../infra/queue/jobs/email.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { emailLabel, slackDate } from './slack-notes.js';

export type TRetryResult = { ok: boolean; message: string };

export async function retryEmail(
  input: { interviewId: string; kind: TEmailKind; revision: number; requestedBy: string },
  deps: Pick<TServiceDeps, 'prisma' | 'queues' | 'logger'>,
): Promise<TRetryResult> {
  const label = emailLabel(input.kind);
  const interview = await deps.prisma.interview.findUnique({
    where: { id: input.interviewId },
    include: { candidate: true },
  });
  if (!interview) return { ok: false, message: 'That interview no longer exists.' };
  const who = escapeMrkdwn(interview.candidate.name);
  if (
    input.kind !== 'cancel' &&
    (interview.revision !== input.revision || interview.status !== 'scheduled')
  ) {
    return {
      ok: false,
      message: `This ${label.toLowerCase()} is out of date: the interview has changed since (it is now ${interview.status}, revision ${interview.revision}).`,
    };
  }
  const row = await deps.prisma.emailDelivery.findUnique({
    where: {
      interviewId_kind_revision: {
        interviewId: input.interviewId,
        kind: input.kind,
        revision: input.revision,
      },
    },
  });
  if (row?.status === 'sent') {
    return {
      ok: false,
      message: `The ${label.toLowerCase()} to ${who} was already emailed${row.sentAt ? ` at ${slackDate(row.sentAt)}` : ''}.`,
    };
  }
  const busy = { ok: false, message: `The ${label.toLowerCase()} to ${who} is already being sent.` };
  if (row?.status === 'sending' || row?.status === 'preparing') return busy;
  const job = await deps.queues
    .queue('email')
    .getJob(emailJobId({ interviewId: input.interviewId, kind: input.kind, revision: input.revision }));
  const state = job ? await job.getState() : 'expired';
  try {
    if (!job)
      await enqueueEmail(deps.queues, {
        interviewId: input.interviewId,
        kind: input.kind,
        revision: input.revision,
      });
    else if (state === 'failed')
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    else if (state === 'completed' && row?.status === 'failed') await job.retry('completed');
    else return busy;
  } catch (err) {
    // Another click moved the job first.
    deps.logger.info(
      { err: { message: (err as Error).message }, jobId: job?.id },
      'email retry not possible',
    );
    return busy;
  }
  await recordEvent(deps.prisma, {
    interviewId: interview.id,
    type: 'email.retry_requested',
    actor: `slack:${input.requestedBy}`,
    data: { kind: input.kind, revision: input.revision },
  });
  return {
    ok: true,
    message: `<@${input.requestedBy}> asked to resend the ${label.toLowerCase()} to ${who}: sending it now.`,
  };
}
