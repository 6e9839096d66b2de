/**
 * Calls made in the same turn of the event loop, run together: a burst of Slack
 * submissions costs one database statement, or one Redis round trip, instead of
 * one each. The batch runs when the turn's I/O has been handled (setImmediate),
 * so every request read in that turn joins it; a lone call waits no longer
 * than that turn.
 *
 * Why it exists: bench/slack-ack — a wave of 200 submissions made 200 statements and 200 round trips.
 */

type TPending<I, O> = { input: I; resolve: (o: O) => void; reject: (e: unknown) => void };

/**
 * Returns a function that queues its input and resolves with its own result
 * once `run` has handled the turn's inputs (at most `maxBatch` per call of
 * `run`). `run` returns one result per input, in order; an `Error` in that
 * list rejects only that caller, and `run` throwing rejects every caller of
 * the batch.
 */
export function coalesceCalls<I, O>(
  run: (inputs: I[]) => Promise<Array<O | Error>>,
  maxBatch = 200,
): (input: I) => Promise<O> {
  let pending: Array<TPending<I, O>> = [];
  const runPart = async (part: Array<TPending<I, O>>) => {
    try {
      const outputs = await run(part.map((p) => p.input));
      part.forEach((p, i) => {
        const out = outputs[i];
        if (out instanceof Error) p.reject(out);
        else if (i >= outputs.length) p.reject(new Error('batch returned fewer results than inputs'));
        else p.resolve(out as O);
      });
    } catch (err) {
      for (const p of part) p.reject(err);
    }
  };
  const flush = () => {
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += maxBatch) void runPart(batch.slice(i, i + maxBatch));
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ input, resolve, reject });
    });
}
