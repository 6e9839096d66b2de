import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeMrkdwn,
  MAX_HEADER_VALUE_LENGTH,
  sanitizeHeaderValue,
  stripControlChars,
  truncate,
} from '../../../src/domain/escape.js';

// \p{Cc} is exactly C0, DEL and C1; spelled with a property escape to say so without raw control ranges.
const ANY_CONTROL = /[\p{Cc}\u2028\u2029]/u;
const CONTROL_EXCEPT_TAB_LF = /(?![\t\n])[\p{Cc}\u2028\u2029]/u;
const isWellFormed = (s: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

// Strings rich in the characters that break things: markup, entities, line breaks of every kind,
// controls, surrogate halves, emoji and combining marks.
const nasty = fc.string({
  unit: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom('<', '>', '&', '"', "'", '!', '@', '|', '*', '_', '~', '`', ' ', 'a', 'é'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '\r',
        '\n',
        '\t',
        '\u000b',
        '\f',
        '\u0000',
        '\u001b',
        '\u007f',
        '\u0085',
        '\u009f',
        '\u2028',
        '\u2029',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('\uD83D', '\uDE00', '😀', '👍🏽', '🇫🇷', '👩‍👩‍👧', 'e\u0301', '用'),
    },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  ),
  maxLength: 80,
});

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel> hi', '&lt;!channel&gt; hi'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['ping <@U123ABC>', 'ping &lt;@U123ABC&gt;'],
    ['<https://evil.example|click me>', '&lt;https://evil.example|click me&gt;'],
    ['Tom & Jerry', 'Tom &amp; Jerry'],
    ['&lt; already', '&amp;lt; already'],
    ['*bold* _it_ ~s~ `c`', '*bold* _it_ ~s~ `c`'],
    ['line 1\nline 2\tend', 'line 1\nline 2\tend'],
    ['a\r\nb\rc\u2028d', 'a\nb\nc\nd'],
    ['bell\u0007 esc\u001b[31m nul\u0000', 'bell esc[31m nul'],
    ['José 用户 😀', 'José 用户 😀'],
  ])('%j → %j', (input, output) => {
    expect(escapeMrkdwn(input)).toBe(output);
  });

  it('never lets < or > through, and every & starts an entity (property)', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = escapeMrkdwn(s);
        expect(out).not.toMatch(/[<>]/);
        expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(out).not.toMatch(CONTROL_EXCEPT_TAB_LF);
      }),
    );
  });

  it('round-trips through Slack-style unescaping for text without control characters (property)', () => {
    const plain = fc.string({
      unit: fc.constantFrom('<', '>', '&', 'a', ' ', '\n', 'é', ';', 'l', 't', 'g'),
    });
    fc.assert(
      fc.property(plain, (s) => {
        const back = escapeMrkdwn(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
        expect(back).toBe(s);
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
    expect(escapeHtml('" onmouseover="x')).toBe('&quot; onmouseover=&quot;x');
    expect(escapeHtml('José 😀')).toBe('José 😀');
  });

  it('never lets < > " \' through, and round-trips (property)', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        const back = out
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        expect(back).toBe(s);
      }),
    );
  });
});

describe('sanitizeHeaderValue', () => {
  it.each([
    ['Interview for Ann', 'Interview for Ann'],
    ['Hi\r\nBcc: all@example.com', 'Hi Bcc: all@example.com'],
    ['a\r\n\r\n\tb', 'a b'],
    ['a\u2028b\u2029c\u0085d', 'a b c d'],
    ['  \r\n padded \n ', 'padded'],
    ['nul\u0000byte', 'nul byte'],
    ['broken \uD83D half', 'broken \uFFFD half'],
    ['José 😀', 'José 😀'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(sanitizeHeaderValue(input)).toBe(output);
  });

  it('caps at 200 code units without splitting an emoji', () => {
    expect(sanitizeHeaderValue('x'.repeat(500))).toBe('x'.repeat(200));
    const out = sanitizeHeaderValue(`${'x'.repeat(199)}😀tail`);
    expect(out).toBe('x'.repeat(199));
  });

  it('never contains CR, LF, any control or line separator, and stays within 200 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 400 })), (s) => {
        const out = sanitizeHeaderValue(s);
        expect(out).not.toMatch(/[\r\n]/);
        expect(out).not.toMatch(ANY_CONTROL);
        expect(out.length).toBeLessThanOrEqual(MAX_HEADER_VALUE_LENGTH);
        expect(out).toBe(out.trim());
        expect(isWellFormed(out)).toBe(true);
        expect(sanitizeHeaderValue(out)).toBe(out);
      }),
    );
  });
});

describe('stripControlChars', () => {
  it('keeps newlines and tabs when asked, normalising every line break to \\n', () => {
    expect(stripControlChars('a\r\nb\rc\u2028d\te\u0000f\u001b', { keepNewlines: true })).toBe(
      'a\nb\nc\nd\tef',
    );
  });

  it('turns line breaks and tabs into spaces otherwise, so words stay apart', () => {
    expect(stripControlChars('a\r\nb\nc\td\u0000e', { keepNewlines: false })).toBe('a b c de');
    expect(stripControlChars('a\nb')).toBe('a b');
  });

  it('leaves ordinary text alone (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const clean = s.replace(/[\p{Cc}\u2028\u2029]/gu, '');
        expect(stripControlChars(clean, { keepNewlines: false })).toBe(clean);
        expect(stripControlChars(clean, { keepNewlines: true })).toBe(clean);
      }),
    );
  });
});

describe('truncate', () => {
  it.each([
    ['hello', 10, '…', 'hello'],
    ['hello', 5, '…', 'hello'],
    ['hello world', 6, '…', 'hello…'],
    ['hello world', 8, '...', 'hello...'],
    ['hello', 1, '…', '…'],
    ['hello', 2, '...', 'he'],
    ['hello', 0, '…', ''],
    ['hello', -3, '…', ''],
    ['ab😀cd', 4, '…', 'ab…'],
    ['ab😀cd', 5, '…', 'ab😀…'],
    // The family emoji is 8 code units and one character: it goes whole or not at all.
    ['👩‍👩‍👧 family', 9, '…', '👩‍👩‍👧…'],
    ['👩‍👩‍👧 family', 8, '…', '…'],
    ['🇫🇷🇩🇪', 6, '…', '🇫🇷…'],
    ['cafe\u0301 au lait', 6, '…', 'cafe\u0301…'],
    ['cafe\u0301 au lait', 5, '…', 'caf…'],
  ])('truncate(%j, %d, %j) → %j', (s, max, ell, out) => {
    expect(truncate(s, max, ell)).toBe(out);
  });

  it('never exceeds max, never splits a surrogate pair, and keeps a prefix (property)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ' ', '😀', '👍🏽', '🇫🇷', 'e\u0301', '用', '👩‍👩‍👧'),
          maxLength: 60,
        }),
        fc.integer({ min: -2, max: 80 }),
        fc.constantFrom('…', '...', '', ' [more]'),
        (s, max, ell) => {
          const out = truncate(s, max, ell);
          expect(out.length).toBeLessThanOrEqual(Math.max(0, max));
          expect(isWellFormed(out)).toBe(true);
          if (s.length <= max) {
            expect(out).toBe(s);
          } else {
            const kept = out.endsWith(ell) && ell.length <= max ? out.slice(0, out.length - ell.length) : out;
            expect(s.startsWith(kept)).toBe(true);
          }
        },
      ),
    );
  });
});
