import type { TEndReason } from '../../domain/interview-state.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { recordEvent } from '../events.js';
import { transitionInterview } from '../lifecycle/transition-interview.js';
import { releaseSeat } from './book-interview.js';

/** Aborts the transaction when the interview is no longer scheduled. */
class NotCancellable extends Error {
  constructor() {
    super('not cancellable');
  }
}

/**
 * Cancels a scheduled interview and frees its seat, once: a second click finds
 * the status already changed and does nothing. `by` is who cancelled, as the event log names
 * actors (`slack:U…` for a person in Slack, `candidate` for their own deletion request), with
 * optional data saying why.
 */
export async function cancelInterview(
  interviewId: string,
  by: { actor: string; data?: Record<string, string> },
  deps: { prisma: PrismaClient; now: () => Date },
): Promise<{ outcome: 'cancelled'; revision: number } | { outcome: 'not_cancellable'; status: string }> {
  try {
    return await deps.prisma.$transaction(async (tx) => {
      const isMoved = await transitionInterview(tx, interviewId, 'scheduled', 'cancelled', {
        cancelledAt: deps.now(),
        endReason: 'cancelled' satisfies TEndReason,
        // The link is dead from now on: its sealed key has nothing left to open.
        sessionKeySealed: null,
      });
      const interview = await tx.interview.findUniqueOrThrow({ where: { id: interviewId } });
      if (!isMoved) throw new NotCancellable();
      await releaseSeat(tx, interview.slotId);
      await recordEvent(tx, {
        interviewId,
        type: 'interview.cancelled',
        actor: by.actor,
        ...(by.data ? { data: by.data } : {}),
      });
      return { outcome: 'cancelled' as const, revision: interview.revision };
    });
  } catch (err) {
    if (err instanceof NotCancellable) {
      const i = await deps.prisma.interview.findUnique({
        where: { id: interviewId },
        select: { status: true },
      });
      return { outcome: 'not_cancellable', status: i?.status ?? 'missing' };
    }
    throw err;
  }
}
