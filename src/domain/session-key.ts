import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

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

/** The candidate's portal link: the one place it is built. */
export function portalLink(publicUrl: string, sessionKey: string): string {
  return `${publicUrl}/interview?session_key=${encodeURIComponent(sessionKey)}`;
}

const SEAL_VERSION = 'v1';

function sealingKey(secret: string): Buffer {
  return createHash('sha256').update(`panelist-session-key-seal:${secret}`).digest();
}

/**
 * The key encrypted for storage on its interview row (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`,
 * base64url). The interview id is authenticated with it, so a sealed key copied to another row
 * does not open.
 */
export function sealSessionKey(key: string, secret: string, interviewId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  cipher.setAAD(Buffer.from(interviewId));
  const ct = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The key from `sealSessionKey`; throws if the secret, the interview or the text is not the one sealed. */
export function openSessionKey(sealed: string, secret: string, interviewId: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !tag || ct === undefined)
    throw new Error('the stored candidate key is not in a known format');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(interviewId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      'the stored candidate key does not open with CANDIDATE_LINK_SECRET (was the secret changed?)',
    );
  }
}
