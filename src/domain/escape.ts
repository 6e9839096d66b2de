// Line breaks in every form a user can paste: CRLF, CR, LF, VT, FF, NEL (U+0085),
// LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029).
const LINE_BREAKS = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;
// \p{Cc} is exactly the C0 controls, DEL and the C1 controls (U+0000-001F, U+007F-009F).
const CONTROL_EXCEPT_TAB_LF = /(?![\t\n])\p{Cc}/gu;
const CONTROL_OR_LINE_SEPARATOR_RUNS = /[\p{Cc}\u2028\u2029]+/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export type TStripOptions = { keepNewlines: boolean };

/**
 * Removes C0 and C1 control characters and DEL.
 * With `keepNewlines: true`, every kind of line break becomes '\n' and tabs stay;
 * with `keepNewlines: false` (the default), each line break or tab becomes one space so words stay apart.
 */
export function stripControlChars(s: string, opts: TStripOptions = { keepNewlines: false }): string {
  if (opts.keepNewlines) {
    return s.replace(LINE_BREAKS, '\n').replace(CONTROL_EXCEPT_TAB_LF, '');
  }
  return s.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(CONTROL_EXCEPT_TAB_LF, '');
}

/**
 * Text made safe to put inside Slack mrkdwn: `&`, `<`, `>` become entities (Slack's own rule),
 * which also defuses `<!channel>`, `<@U123>` and `<https://evil|link>`; control characters other
 * than newline and tab are removed. *bold* / _italic_ stay as typed: they cannot ping or link.
 */
export function escapeMrkdwn(s: string): string {
  return stripControlChars(s, { keepNewlines: true })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Longest header value sanitizeHeaderValue returns, in UTF-16 code units. */
export const MAX_HEADER_VALUE_LENGTH = 200;

/**
 * A user-supplied string made safe for an email header (Subject, display name): every run of
 * control characters (CR and LF included) and Unicode line/paragraph separators becomes one space,
 * unpaired surrogates become U+FFFD, the ends are trimmed, and the result is at most 200 code units
 * (cut between whole characters). Header injection needs a line break; none survives.
 */
export function sanitizeHeaderValue(s: string): string {
  const flat = s.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL_OR_LINE_SEPARATOR_RUNS, ' ').trim();
  return truncate(flat, MAX_HEADER_VALUE_LENGTH, '').trimEnd();
}

let segmenter: Intl.Segmenter | undefined;

/**
 * `s` cut to at most `max` UTF-16 code units (how Slack and JavaScript count), ellipsis included,
 * when it is longer. Cuts only between whole user-perceived characters (grapheme clusters), so a
 * surrogate pair, an emoji sequence or a letter with its accent is never split. If the ellipsis
 * alone does not fit, the result is the longest prefix of whole characters that does.
 */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  const limit = Math.floor(max);
  if (!(limit > 0)) return '';
  if (s.length <= limit) return s;
  const tail = ellipsis.length <= limit ? ellipsis : '';
  const budget = limit - tail.length;
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  let end = 0;
  for (const { segment, index } of segmenter.segment(s)) {
    if (index + segment.length > budget) break;
    end = index + segment.length;
  }
  return s.slice(0, end) + tail;
}
