/**
 * A candidate's corrections to their transcript (issue 14): notes attached to the answers they
 * are about, so the hiring team's transcript page and every later evaluation read them where they
 * apply. A note about no answer in particular goes with the last answer. The marker says plainly
 * that the text was added afterwards by the candidate.
 */
export type TCorrection = { turnSeq: number | null; text: string; createdAt: Date };

export function correctionMarker(c: TCorrection): string {
  return `[Correction from the candidate, added ${c.createdAt.toISOString().slice(0, 10)}: ${c.text}]`;
}

/** The turns with each correction appended to the answer it is about. Pure: returns new turns. */
export function applyCorrections<T extends { seq: number; answer: string | null }>(
  turns: readonly T[],
  corrections: readonly TCorrection[],
): T[] {
  if (corrections.length === 0 || turns.length === 0) return [...turns];
  const last = turns[turns.length - 1]!.seq;
  const bySeq = new Map<number, string[]>();
  for (const c of corrections) {
    const seq = c.turnSeq !== null && turns.some((t) => t.seq === c.turnSeq) ? c.turnSeq : last;
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), correctionMarker(c)]);
  }
  return turns.map((t) => {
    const notes = bySeq.get(t.seq);
    if (!notes) return t;
    return { ...t, answer: [t.answer ?? '', ...notes].filter((s) => s !== '').join('\n\n') };
  });
}
