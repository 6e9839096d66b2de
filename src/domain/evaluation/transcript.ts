/** The transcript as the evaluator sees it. Pure types. */

export type TTranscriptTurn = {
  seq: number;
  question: string;
  answer: string | null;
  answerMode: string | null;
  competency: string | null;
  isFollowUp: boolean;
  askedAt: Date;
  answeredAt: Date | null;
  audioDurationMs: number | null;
};

export type TTranscript = {
  turns: TTranscriptTurn[];
  /** Questions planned for the interview (question plan length), when known. */
  plannedQuestions: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
};

/** Whole interview length, from start to end (or the last answer), when it started. */
export function durationOf(t: TTranscript): number | null {
  if (!t.startedAt) return null;
  const end = t.endedAt ?? t.turns.at(-1)?.answeredAt ?? null;
  return end ? Math.max(0, end.getTime() - t.startedAt.getTime()) : null;
}
