import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateSessionKey,
  hashSessionKey,
  isWellFormedSessionKey,
  SESSION_KEY_LENGTH,
} from '../../../src/domain/session-key.js';

describe('generateSessionKey', () => {
  it('is 43 base64url characters that decode to 32 bytes', () => {
    const key = generateSessionKey();
    expect(key).toHaveLength(43);
    expect(SESSION_KEY_LENGTH).toBe(43);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(isWellFormedSessionKey(key)).toBe(true);
  });

  it('never repeats over 10,000 keys and uses the whole alphabet', () => {
    const keys = Array.from({ length: 10_000 }, generateSessionKey);
    expect(new Set(keys).size).toBe(10_000);
    const seen = new Set(keys.join(''));
    expect(seen.size).toBe(64);
    expect(keys.every(isWellFormedSessionKey)).toBe(true);
  });
});

describe('hashSessionKey', () => {
  it('is SHA-256 in lowercase hex', () => {
    expect(hashSessionKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSessionKey('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is deterministic, 64 hex chars, and differs for different keys', () => {
    const a = generateSessionKey();
    const b = generateSessionKey();
    expect(hashSessionKey(a)).toBe(hashSessionKey(a));
    expect(hashSessionKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionKey(a)).not.toBe(hashSessionKey(b));
    expect(hashSessionKey(a)).not.toContain(a);
  });
});

describe('isWellFormedSessionKey', () => {
  const good = `${'A'.repeat(20)}-_${'z9'.repeat(10)}Q`;

  it.each([
    ['a 43-char base64url string', good, true],
    ['42 chars', good.slice(1), false],
    ['44 chars', `${good}A`, false],
    ['standard base64 "+"', `+${good.slice(1)}`, false],
    ['standard base64 "/"', `/${good.slice(1)}`, false],
    ['padding', `${good.slice(1)}=`, false],
    ['a space', ` ${good.slice(1)}`, false],
    ['a trailing newline', `${good.slice(1)}\n`, false],
    ['a non-ASCII letter', `é${good.slice(1)}`, false],
    ['empty', '', false],
  ])('%s → %s', (_name, value, ok) => {
    expect(isWellFormedSessionKey(value)).toBe(ok);
  });

  it.each([undefined, null, 43, ['x'], { key: good }])('rejects non-string %j', (value) => {
    expect(isWellFormedSessionKey(value)).toBe(false);
  });

  it('accepts exactly the 43-char strings over the base64url alphabet (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), minLength: 43, maxLength: 43 }), (s) => {
        expect(isWellFormedSessionKey(s)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(isWellFormedSessionKey(s)).toBe(/^[A-Za-z0-9_-]{43}$/.test(s));
      }),
    );
  });
});
