/**
 * How an interview ended, in the words the candidate (the room's last screen) and the hiring team
 * (the thread, the transcript page) read. An interview the candidate ends before the last planned
 * question is stored with the reason `finished` like a complete one; what tells them apart is how
 * many planned questions were answered, so every text that says "ended" counts them.
 */

export type TEndTally = {
  /** Planned questions with an answer (a follow-up's answer does not add a question). */
  answered: number;
  /** Questions in the interview's plan. */
  planned: number;
};

/** Counts the planned questions answered; `answered` is whether the turn's answer was recorded. */
export function tallyAnswers(
  turns: ReadonlyArray<{ isFollowUp: boolean; answered: boolean }>,
  planned: number,
): TEndTally {
  return { answered: turns.filter((t) => !t.isFollowUp && t.answered).length, planned };
}

/** Ended before every planned question was answered. */
export function isEndedEarly(t: TEndTally): boolean {
  return t.answered < t.planned;
}

const questions = (n: number) => (n === 1 ? 'question' : 'questions');

/**
 * One clause for the hiring team, after "The interview …" / "Interview …": "ended early after 1 of
 * 3 questions", "ended when its time ran out, after 2 of 3 questions", "ended after all 3 questions".
 */
export function endedClause(reason: string | null, t: TEndTally): string {
  const count = `${t.answered} of ${t.planned} ${questions(t.planned)}`;
  if (reason === 'cancelled') return 'was cancelled';
  if (!isEndedEarly(t)) return `ended after all ${t.planned} ${questions(t.planned)}`;
  if (reason === 'time_up') return `ended when its time ran out, after ${count}`;
  if (reason === 'window_closed') return `ended when its window closed, after ${count}`;
  return `ended early after ${count}`;
}

/** What the room says when the interview ends (also spoken, when the interviewer speaks). */
export function wrapUpText(reason: 'finished' | 'time_up' | 'window_closed', t: TEndTally): string {
  const thanks = 'Thank you for your time and your answers. The hiring team will be in touch.';
  const count = `${t.answered} of ${t.planned} ${questions(t.planned)}`;
  if (reason === 'time_up')
    return isEndedEarly(t)
      ? `We have reached the end of our time, so we will stop here, after ${count}. ${thanks}`
      : `We have reached the end of our time, so we will stop here. ${thanks}`;
  if (reason === 'window_closed')
    return `The time for this interview is over, so we will stop here${isEndedEarly(t) ? `, after ${count}` : ''}. ${thanks}`;
  if (isEndedEarly(t))
    return `You ended the interview early, after answering ${count}. Thank you for your time: your answers so far have been sent to the hiring team, who will be in touch.`;
  return `That was the last question. ${thanks}`;
}

/** The tally of a stored transcript (planned: the question plan's length, else the questions asked). */
export function tallyTranscript(t: {
  turns: ReadonlyArray<{ isFollowUp: boolean; answeredAt: Date | null }>;
  plannedQuestions: number | null;
}): TEndTally {
  return tallyAnswers(
    t.turns.map((turn) => ({ isFollowUp: turn.isFollowUp, answered: turn.answeredAt !== null })),
    t.plannedQuestions ?? t.turns.filter((turn) => !turn.isFollowUp).length,
  );
}
