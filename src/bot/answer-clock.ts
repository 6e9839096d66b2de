/**
 * One time budget per Slack request, counted from its arrival at the receiver.
 *
 * Slack gives up on an answer after 3 s. Giving each step of a listener its own deadline is not
 * enough: the steps add up (replay check, slot check, storing the request, queueing its job,
 * recording a refusal came to 2.25 s), and on a busy machine every timer fires late and every step
 * costs CPU on top. During a 20 s Redis stall that pushed a submission past Bolt's
 * unhandled-request timer, which answered HTTP 404 while the listener went on and queued the job:
 * the recruiter saw an error for a form that was then booked (fault suite, redis-stall). So a
 * listener asks the clock how long a step may take, and a step that no longer fits is not started.
 */

/**
 * Every answer is sent within this long of the request's arrival: Slack's 3 s less room for the
 * network and a busy event loop (the fault suite holds answers under 2.5 s, measured by the sender).
 */
export const ANSWER_BUDGET_MS = 2200;

/**
 * The context property the receiver sets (through Bolt's `customProperties`): the
 * `performance.now()` by which the answer must be sent.
 */
export const ANSWER_BY = 'answerBy';

export type TAnswerClock = {
  /** Milliseconds left until the answer must be sent (negative when already late). */
  left(): number;
  /**
   * How long a step may take: `stepMs`, or less if only that much is left once `reserveMs` is
   * kept for the steps after it. 0 when it does not fit at all: do not start it.
   */
  allow(stepMs: number, reserveMs?: number): number;
};

/** A step given less than this cannot finish (one database round trip on a busy machine). */
const MIN_STEP_MS = 50;

/**
 * The clock of the request a listener is handling. Over Socket Mode there is no receiver stamp:
 * the budget then counts from the listener's start.
 */
export function answerClock(context: Record<string, unknown>): TAnswerClock {
  const stamped = context[ANSWER_BY];
  const answerBy = typeof stamped === 'number' ? stamped : performance.now() + ANSWER_BUDGET_MS;
  const left = () => answerBy - performance.now();
  return {
    left,
    allow(stepMs, reserveMs = 0) {
      const ms = Math.min(stepMs, left() - reserveMs);
      return ms >= MIN_STEP_MS ? Math.floor(ms) : 0;
    },
  };
}
