/** Signals of a prompt-injection attempt in an answer, and of a protected attribute used as grounds. Pure. */

const INJECTION_PATTERNS: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override)\b[^.?!\n]{0,40}\b(instructions?|prompts?|rules?|guidelines|rubric|system)\b/i,
  /\b(give|award|assign|rate|score)\s+(me|this( candidate)?|the candidate)\b[^.?!\n]{0,30}\b(top|full|maximum|max|highest|perfect|best|4|5|10)\b/i,
  /\b(top|full|maximum|perfect|highest)\s+(marks|scores?|ratings?)\b/i,
  /\b(recommend|mark)\s+(me|this candidate)\s+(as\s+)?(a\s+)?(strong\s+)?hire\b/i,
  /\byou are now\b|\bnew instructions\b|\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak\b/i,
  /<\/?(system|assistant|instructions?|transcript)>/i,
  /\b(as the|as an) (ai|evaluator|language model)\b[^.?!\n]{0,40}\b(must|should|will)\b/i,
];

/** True when an answer reads as an attempt to instruct the evaluator. */
export function looksLikeInjection(text: string): boolean {
  return INJECTION_PATTERNS.some((re) => re.test(text));
}

/** The sentence of `text` that matched an injection pattern, for the flag shown to the team. */
export function injectionExcerpt(text: string): string | undefined {
  const sentences = text.split(/(?<=[.?!])\s+|\n+/);
  return sentences.find((s) => looksLikeInjection(s)) ?? (looksLikeInjection(text) ? text : undefined);
}

/** Words that mean a rationale leans on a protected attribute (or a proxy such as accent). */
const PROTECTED_ATTRIBUTE =
  /\b(age|aged|elderly|gender|male|female|pregnan\w*|ethnic\w*|race|racial|religio\w*|disab\w*|accent|native speaker|nationality|sexual orientation|marital|married)\b/i;

/** The protected-attribute word a text uses, if any. */
export function protectedAttributeMention(text: string): string | undefined {
  return PROTECTED_ATTRIBUTE.exec(text)?.[0]?.toLowerCase();
}
