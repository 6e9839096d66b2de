/**
 * Work a listener does after its ack (building and opening a modal) shares the
 * event loop with the acks still to come. When a burst of requests arrives
 * together, the acks should leave first: Slack gives up on an ack after 3 s,
 * while a modal that opens a few milliseconds later is not noticed (its
 * trigger_id is good for 3 s too).
 *
 * The receiver counts the requests it has read and not yet answered
 * (`track`). `yieldToAcks()` and `takeTurnAfterAcks()` resolve when none is
 * left, and in any case once they have waited `MAX_DEFER_MS` (500 ms): under sustained
 * load the work is delayed, never starved.
 *
 * Why it exists: bench/slack-ack — modal building between acks pushed a wave's ack p99 past Slack's budget.
 */

/**
 * Long enough for a burst's acks to finish on a busy machine (a wave of 200
 * took ~250 ms under load in bench/slack-ack), short enough that the modal still
 * opens well inside the 3 s its trigger_id lasts.
 */
const MAX_DEFER_MS = 500;

type TWaiter = { resolve: () => void; since: number; isOnePerTurn: boolean };

/** One per Bolt app (`buildBot` makes it): the receiver counts its requests, its listeners wait. */
export class PendingAcks {
  private readonly waiting: TWaiter[] = [];
  private unacked = 0;
  private isImmediateArmed = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * Counts a request as waiting for its answer until `res` finishes or closes.
   * Called by the receiver for every request it reads.
   */
  track(res: NodeJS.EventEmitter): void {
    this.unacked++;
    let isDone = false;
    const done = () => {
      if (isDone) return;
      isDone = true;
      this.unacked--;
      if (this.unacked === 0) this.arm();
    };
    res.once('finish', done);
    res.once('close', done);
  }

  /**
   * Resolves once no request is waiting for its ack (or after MAX_DEFER_MS), for
   * every caller at once: for cheap steps, such as starting a shared read.
   */
  yieldToAcks(): Promise<void> {
    return this.enqueue(false);
  }

  /**
   * Like yieldToAcks, but callers go one per turn of the event loop: for costly
   * steps (building and sending a modal), so that a request arriving meanwhile is
   * read between two of them.
   */
  takeTurnAfterAcks(): Promise<void> {
    return this.enqueue(true);
  }

  private readonly pump = (): void => {
    this.isImmediateArmed = false;
    const now = performance.now();
    const ready: TWaiter[] = [];
    let hasTurnGone = false;
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      const isDue = now - w.since >= MAX_DEFER_MS;
      if (isDue || (this.unacked === 0 && (!w.isOnePerTurn || !hasTurnGone))) {
        if (w.isOnePerTurn && !isDue) hasTurnGone = true;
        ready.push(w);
        this.waiting.splice(i, 1);
      } else i++;
    }
    for (const w of ready) w.resolve();
    this.arm();
  };

  private arm(): void {
    if (this.waiting.length === 0) return;
    if (this.unacked === 0) {
      // An immediate queued from an immediate runs in the next turn, after the I/O poll.
      if (!this.isImmediateArmed) {
        this.isImmediateArmed = true;
        setImmediate(this.pump);
      }
      return;
    }
    if (!this.timer) {
      const dueIn = this.waiting[0]!.since + MAX_DEFER_MS - performance.now();
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(0, Math.ceil(dueIn)),
      );
    }
  }

  private enqueue(isOnePerTurn: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push({ resolve, since: performance.now(), isOnePerTurn });
      this.arm();
    });
  }
}
