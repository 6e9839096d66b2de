/** A booking submitted as the bot submits one: the request stored, then its job (ids only) queued. */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { bookingJobId, enqueueBooking } from '../../src/infra/queue/jobs/booking.js';
import type { JobQueues } from '../../src/infra/queue/queues.js';
import { storeBookingRequest, type TBookingRequest } from '../../src/services/booking/booking-request.js';

export type TBookingInput = Omit<TBookingRequest, 'id' | 'notes' | 'recruiter' | 'channelId'> &
  Partial<Pick<TBookingRequest, 'id' | 'notes' | 'recruiter' | 'channelId'>>;

export function bookingRequest(input: TBookingInput): TBookingRequest {
  return {
    id: input.id ?? `req-${randomBytes(8).toString('hex')}`,
    notes: input.notes ?? '',
    recruiter: input.recruiter ?? { userId: 'U_RECRUITER' },
    channelId: input.channelId ?? 'C_RECRUITING',
    ...input,
  };
}

/** Stores the request and queues its job; returns the request id and the job id. */
export async function submitBooking(
  prisma: PrismaClient,
  queues: JobQueues,
  input: TBookingInput,
): Promise<{ requestId: string; jobId: string }> {
  const request = bookingRequest(input);
  const stored = await storeBookingRequest(prisma, request);
  const job = { bookingRequestId: request.id, attempt: stored.attempt };
  await enqueueBooking(queues, job);
  return { requestId: request.id, jobId: bookingJobId(job) };
}
