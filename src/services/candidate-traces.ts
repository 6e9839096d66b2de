/**
 * What a candidate leaves outside their interview rows: their stored booking requests (name, email),
 * the queue's jobs about their interviews (ids only, but a deletion leaves nothing behind) and, on
 * a local run, the captured Outbox emails. Deleting a candidate (on request or by retention) removes
 * all three.
 */
import { deleteOutboxMail } from '../infra/mail/mailer.js';
import type { TJobName } from '../infra/queue/catalogue.js';
import { bookingJobId } from '../infra/queue/jobs/booking.js';
import { EMAIL_KINDS, emailJobId } from '../infra/queue/jobs/email.js';
import { evaluationJobId } from '../infra/queue/jobs/evaluation.js';
import { notifyJobId } from '../infra/queue/jobs/notify.js';
import { prepareJobId } from '../infra/queue/jobs/prepare.js';
import type { TServiceDeps } from './deps.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'queues' | 'config'> & Partial<Pick<TServiceDeps, 'logger'>>;

const REFUSALS = [
  { outcome: 'unavailable', reason: 'full' },
  { outcome: 'unavailable', reason: 'past' },
  { outcome: 'unavailable', reason: 'closed' },
  { outcome: 'unavailable', reason: 'gone' },
  { outcome: 'stale', reason: 'not_reschedulable' },
] as const;

/** The ids of every job that can exist for these interviews and requests (the definitions' own id functions). */
async function jobIdsOf(
  deps: TDeps,
  interviewIds: string[],
  requests: Array<{ id: string; attempt: number }>,
): Promise<Array<[TJobName, string]>> {
  const ids: Array<[TJobName, string]> = [];
  const interviews = await deps.prisma.interview.findMany({
    where: { id: { in: interviewIds } },
    select: { id: true, revision: true, _count: { select: { evaluations: true } } },
  });
  for (const i of interviews) {
    for (let revision = 1; revision <= i.revision; revision++) {
      for (const kind of EMAIL_KINDS) ids.push(['email', emailJobId({ interviewId: i.id, kind, revision })]);
      ids.push(['prepare', prepareJobId({ interviewId: i.id, revision })]);
      ids.push(['notify', notifyJobId('', { outcome: 'booked', interviewId: i.id, revision })]);
    }
    for (let version = 1; version <= i._count.evaluations + 1; version++)
      ids.push(['evaluation', evaluationJobId({ interviewId: i.id, version })]);
  }
  for (const r of requests) {
    for (let attempt = 1; attempt <= r.attempt; attempt++)
      ids.push(['booking', bookingJobId({ bookingRequestId: r.id, attempt })]);
    for (const result of REFUSALS) ids.push(['notify', notifyJobId(r.id, result)]);
  }
  return ids;
}

/** Removes the candidate's booking requests, jobs and captured emails. Idempotent. */
export async function deleteCandidateTraces(
  deps: TDeps,
  input: { email: string; interviewIds: string[] },
): Promise<{ requests: number; jobs: number; outbox: number }> {
  const requests = await deps.prisma.bookingRequest.findMany({
    where: {
      OR: [
        { candidateEmail: input.email.toLowerCase() },
        ...(input.interviewIds.length > 0 ? [{ rescheduleInterviewId: { in: input.interviewIds } }] : []),
      ],
    },
    select: { id: true, attempt: true },
  });
  let jobs = 0;
  for (const [queue, id] of await jobIdsOf(deps, input.interviewIds, requests)) {
    // A job a worker holds right now cannot be removed; it finds its data gone and does nothing.
    jobs += await deps.queues
      .queue(queue)
      .remove(id)
      .catch(() => 0);
  }
  const removed = await deps.prisma.bookingRequest.deleteMany({
    where: { id: { in: requests.map((r) => r.id) } },
  });
  const outbox = deps.config.mail.smtpUrl
    ? 0
    : await deleteOutboxMail(deps.config.dataDir, input.interviewIds);
  deps.logger?.info({ requests: removed.count, jobs, outbox }, 'candidate traces deleted');
  return { requests: removed.count, jobs, outbox };
}

/** Whether an address still belongs to a candidate (a deleted candidate's address does not). */
export async function isCandidateAddress(
  deps: Pick<TServiceDeps, 'prisma'>,
  address: string,
): Promise<boolean> {
  return (await deps.prisma.candidate.count({ where: { email: address } })) > 0;
}
