/** Loads what an evaluation or the transcript page needs: the interview, its rubric, turns and integrity events. */

import { applyCorrections } from '../../domain/corrections.js';
import { AppError } from '../../domain/errors.js';
import { readCompetencies, type TCompetency } from '../../domain/evaluation/rubric.js';
import type { TTranscript } from '../../domain/evaluation/transcript.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { correctionNotes } from '../candidate/requests.js';

export async function loadInterviewTranscript(prisma: PrismaClient, interviewId: string) {
  const [interview, integrityEvents, corrections] = await Promise.all([
    prisma.interview.findUnique({
      where: { id: interviewId },
      include: {
        role: true,
        candidate: { select: { name: true } },
        slot: { select: { timeZone: true } },
        turns: { orderBy: { seq: 'asc' } },
      },
    }),
    prisma.event.findMany({
      where: { interviewId, type: { startsWith: 'integrity.' } },
      orderBy: { createdAt: 'asc' },
      select: { type: true, createdAt: true, data: true },
    }),
    // The candidate's corrections (issue 14) go with the answers they are about, for the page and the model.
    correctionNotes(prisma, interviewId),
  ]);
  if (!interview) throw new AppError('not_found', 'That interview was not found.', { interviewId });
  // Pages show times in the zone of the recruiter who booked it (their Slack profile's, kept on the
  // booking request), else the one the slot was created in.
  const booking = await prisma.bookingRequest.findUnique({
    where: { id: interview.bookingRequestId },
    select: { recruiterTimeZone: true },
  });
  const timeZone = booking?.recruiterTimeZone ?? interview.slot.timeZone;
  const competencies = parseCompetencies(interview.role.competencies);
  const plan = interview.questionPlan;
  const transcript: TTranscript = {
    turns: applyCorrections(
      interview.turns.map((t) => ({
        seq: t.seq,
        question: t.question,
        answer: t.answerText,
        answerMode: t.answerMode,
        competency: t.competency,
        isFollowUp: t.isFollowUp,
        askedAt: t.askedAt,
        answeredAt: t.answeredAt,
        audioDurationMs: t.audioDurationMs,
      })),
      corrections,
    ),
    plannedQuestions: Array.isArray(plan) ? plan.length : null,
    startedAt: interview.startedAt,
    endedAt: interview.endedAt,
    endReason: interview.endReason,
  };
  return { interview, competencies, transcript, integrityEvents, corrections, timeZone };
}

/** Role.competencies as stored; malformed entries are skipped, and a role without any gets one general competency. */
function parseCompetencies(raw: unknown): TCompetency[] {
  const parsed = readCompetencies(raw);
  return parsed.length > 0
    ? parsed
    : [{ key: 'overall', name: 'Overall', description: 'Overall quality of the answers for the role.' }];
}
