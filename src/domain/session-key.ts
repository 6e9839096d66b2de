import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes (256 bits) in base64url without padding: always 43 characters. */
export const SESSION_KEY_LENGTH = 43;

const SESSION_KEY_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new candidate link key: 256 bits from the system CSPRNG, base64url (43 chars, URL-safe). */
export function generateSessionKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The form in which a key is stored and looked up: SHA-256, lowercase hex (64 chars).
 * A plain hash is enough (no salt, no slow KDF): the key has 256 bits of entropy, so there is
 * nothing to brute-force, and an unsalted hash can be found with an indexed equality lookup.
 */
export function hashSessionKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * True for a string that could be a session key: exactly 43 base64url characters.
 * Check this before hashing or touching the database, so junk is rejected cheaply.
 */
export function isWellFormedSessionKey(s: unknown): s is string {
  return typeof s === 'string' && SESSION_KEY_RE.test(s);
}
