/** Evidence quotes: how they are compared with the candidate's answers. Pure. */
import type { TTranscriptTurn } from './transcript.js';

/** Case and whitespace folded, typographic quotes and dashes made plain: how quotes are compared. */
export function foldForQuote(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A quote with the decoration models add around it removed (surrounding quotes, ellipses). */
export function cleanQuote(quote: string): string {
  let q = quote.trim();
  for (let i = 0; i < 3; i++) {
    const before = q;
    q = q
      .replace(/^["'\u201C\u201D\u2018\u2019«»]+|["'\u201C\u201D\u2018\u2019«»]+$/g, '')
      .replace(/^(\.\.\.|\u2026)\s*|\s*(\.\.\.|\u2026)$/g, '')
      .trim();
    if (q === before) break;
  }
  return q;
}

/** Shortest quote that counts as evidence: "yes" proves nothing. */
const MIN_QUOTE_CHARS = 12;

/**
 * Which answer a quote comes from (its seq), or undefined when no answer contains it
 * after folding case and whitespace. Quotes from the questions do not count: only what
 * the candidate said is evidence.
 */
export function findQuote(quote: string, turns: readonly TTranscriptTurn[]): number | undefined {
  const q = foldForQuote(cleanQuote(quote));
  if (q.length < MIN_QUOTE_CHARS) return undefined;
  for (const turn of turns) {
    if (turn.answer && foldForQuote(turn.answer).includes(q)) return turn.seq;
  }
  return undefined;
}
