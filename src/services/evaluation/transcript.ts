/** Loads what an evaluation or the transcript page needs: the interview, its rubric, turns and integrity events. */

import { AppError } from '../../domain/errors.js';
import { readCompetencies, type TCompetency } from '../../domain/evaluation/rubric.js';
import type { TTranscript } from '../../domain/evaluation/transcript.js';
import type { PrismaClient } from '../../generated/prisma/client.js';

export async function loadInterviewTranscript(prisma: PrismaClient, interviewId: string) {
  const [interview, integrityEvents] = await Promise.all([
    prisma.interview.findUnique({
      where: { id: interviewId },
      include: {
        role: true,
        candidate: { select: { name: true } },
        turns: { orderBy: { seq: 'asc' } },
      },
    }),
    prisma.event.findMany({
      where: { interviewId, type: { startsWith: 'integrity.' } },
      orderBy: { createdAt: 'asc' },
      select: { type: true, createdAt: true, data: true },
    }),
  ]);
  if (!interview) throw new AppError('not_found', 'That interview was not found.', { interviewId });
  const competencies = parseCompetencies(interview.role.competencies);
  const plan = interview.questionPlan;
  const transcript: TTranscript = {
    turns: interview.turns.map((t) => ({
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
    plannedQuestions: Array.isArray(plan) ? plan.length : null,
    startedAt: interview.startedAt,
    endedAt: interview.endedAt,
    endReason: interview.endReason,
  };
  return { interview, competencies, transcript, integrityEvents };
}

/** Role.competencies as stored; malformed entries are skipped, and a role without any gets one general competency. */
function parseCompetencies(raw: unknown): TCompetency[] {
  const parsed = readCompetencies(raw);
  return parsed.length > 0
    ? parsed
    : [{ key: 'overall', name: 'Overall', description: 'Overall quality of the answers for the role.' }];
}
