import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMAIL_ADDRESS_MESSAGE,
  isEmailAddress,
  normalizeEmail,
  ZEmailAddress,
} from '../../../src/domain/email-address.js';

describe('normalizeEmail accepts', () => {
  it.each([
    ['ann@example.com', 'ann@example.com'],
    ['  Ann.Lee@Example.COM  ', 'ann.lee@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a_b-c@my-company.io', 'a_b-c@my-company.io'],
    ['x@xn--bcher-kva.de', 'x@xn--bcher-kva.de'],
    ['José@Exämple.de', 'josé@exämple.de'],
    ['用户@例子.广告', '用户@例子.广告'],
    ['पता@उदाहरण.भारत', 'पता@उदाहरण.भारत'],
    ['1@2.com', '1@2.com'],
  ])('%j → %j', (input, output) => {
    expect(normalizeEmail(input)).toBe(output);
    expect(isEmailAddress(input)).toBe(true);
  });

  it('composes decomposed accents (NFC), so one person has one spelling', () => {
    expect(normalizeEmail('jose\u0301@example.de')).toBe('jos\u00e9@example.de');
  });
});

describe('normalizeEmail rejects', () => {
  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['no @', 'ann.example.com'],
    ['two @', 'ann@lee@example.com'],
    ['nothing before @', '@example.com'],
    ['nothing after @', 'ann@'],
    ['a space inside', 'ann lee@example.com'],
    ['a non-breaking space', 'ann\u00a0lee@example.com'],
    ['a tab', 'ann\t@example.com'],
    ['CRLF header injection', 'ann@example.com\r\nBcc: all@example.com'],
    ['a bare LF inside', 'ann\n@example.com'],
    ['a NUL', 'ann\u0000@example.com'],
    ['a C1 control', 'ann\u0085@example.com'],
    ['a display name', 'Ann Lee <ann@example.com>'],
    ['angle brackets', '<ann@example.com>'],
    ['a quoted local part', '"ann lee"@example.com'],
    ['a comment', 'ann(work)@example.com'],
    ['consecutive dots', 'ann..lee@example.com'],
    ['leading dot', '.ann@example.com'],
    ['trailing dot in local part', 'ann.@example.com'],
    ['a domain without a dot', 'ann@localhost'],
    ['a trailing dot on the domain', 'ann@example.com.'],
    ['an empty domain label', 'ann@example..com'],
    ['a hyphen at a label start', 'ann@-example.com'],
    ['a hyphen at a label end', 'ann@example-.com'],
    ['an IP address', 'ann@192.168.0.1'],
    ['an IP literal', 'ann@[192.168.0.1]'],
    ['a comma list', 'ann@example.com,bob@example.com'],
    ['a semicolon', 'ann@example.com;'],
    ['an underscore in the domain', 'ann@my_company.com'],
    ['a 65-char local part', `${'a'.repeat(65)}@example.com`],
    ['a 64-char domain label', `ann@${'a'.repeat(64)}.com`],
    [
      'more than 254 characters',
      `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`,
    ],
  ])('%s: %j', (_name, input) => {
    expect(normalizeEmail(input)).toBeNull();
    expect(isEmailAddress(input)).toBe(false);
  });

  it('rejects non-strings from untyped code', () => {
    expect(normalizeEmail(undefined as unknown as string)).toBeNull();
    expect(normalizeEmail(42 as unknown as string)).toBeNull();
  });

  it('accepts exactly 254 characters', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);
    expect(normalizeEmail(email)).toBe(email);
  });
});

describe('ZEmailAddress', () => {
  it('parses to the normalised address', () => {
    expect(ZEmailAddress.parse('  Ann@Example.com ')).toBe('ann@example.com');
  });

  it('fails with the message the recruiter sees', () => {
    const r = ZEmailAddress.safeParse('Ann <ann@example.com>');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([EMAIL_ADDRESS_MESSAGE]);
    expect(EMAIL_ADDRESS_MESSAGE).toBe('Enter an email address like name@example.com');
  });

  it('rejects non-strings', () => {
    expect(ZEmailAddress.safeParse(42).success).toBe(false);
  });
});

describe('normalizeEmail properties', () => {
  it('is idempotent, and its output has no whitespace, controls, angle brackets or line breaks', () => {
    const unit = fc.constantFrom(
      ...'aZ9.+-_@ <>"\r\n\t\u2028éü用户xn-'.split(''),
      'b',
      'com',
      '.com',
      '@x.io',
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })),
        (s) => {
          const n = normalizeEmail(s);
          if (n === null) return;
          expect(normalizeEmail(n)).toBe(n);
          expect(n).not.toMatch(/[\s<>"\p{Cc}]/u);
          expect(n.length).toBeLessThanOrEqual(254);
          expect(n.split('@')).toHaveLength(2);
          expect(n).toBe(n.toLowerCase());
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('accepts every simple local@domain.tld address', () => {
    const word = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')),
      minLength: 1,
      maxLength: 20,
    });
    const tld = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')),
      minLength: 2,
      maxLength: 6,
    });
    fc.assert(
      fc.property(word, word, word, tld, (a, b, d, t) => {
        const email = `${a}.${b}@${d}.${t}`;
        expect(normalizeEmail(email.toUpperCase())).toBe(email);
      }),
    );
  });
});
