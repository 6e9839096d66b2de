import { domainToASCII } from 'node:url';
import { z } from 'zod';

export const EMAIL_ADDRESS_MESSAGE = 'Enter an email address like name@example.com';

/** RFC 5321: a path is at most 256 octets including the angle brackets, so 254 for the address. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

// Local part: RFC 5322 atext, plus any letter, mark or digit from any script (RFC 6531). Dots are
// allowed only between other characters. Quoted local parts ("a b"@x) are rejected on purpose:
// they are legal but almost always a typo, and many mail systems refuse them.
const LOCAL_ATOM = "[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_RE = new RegExp(`^${LOCAL_ATOM}(?:\\.${LOCAL_ATOM})*$`, 'u');
// A DNS label: letters, marks and digits of any script, and hyphens inside.
const LABEL_RE = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;

/**
 * The canonical form of an email address, or null when it is not one we accept.
 * Canonical: trimmed, Unicode NFC, lowercased throughout (mail providers treat local parts
 * case-insensitively in practice, and one spelling per person keeps look-ups predictable).
 * Accepts internationalised addresses (`josé@exämple.de`, `用户@例子.广告`). Rejects: no or several
 * '@', whitespace, control characters, `<>` and display names (`Ann <ann@x.com>`), quoted local
 * parts, a local part starting or ending with a dot or containing `..`, a domain without a dot,
 * an all-digit top-level label (IP addresses), a domain that is not valid IDNA, more than 254
 * characters.
 */
export function normalizeEmail(s: string): string | null {
  if (typeof s !== 'string') return null;
  const email = s.trim().normalize('NFC').toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return null;
  const at = email.indexOf('@');
  if (at < 0 || at !== email.lastIndexOf('@')) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0 || local.length > MAX_LOCAL_LENGTH || !LOCAL_RE.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH || !LABEL_RE.test(label)) return null;
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  // IDNA decides what a domain may contain (e.g. no mixed-direction labels); a domain it cannot
  // convert cannot receive mail. The ASCII form must also fit DNS's 253 characters.
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > 253) return null;
  return email;
}

/** True when `s` is an email address we accept (see normalizeEmail). */
export function isEmailAddress(s: string): boolean {
  return normalizeEmail(s) !== null;
}

/** An email address from user input, validated and normalised with normalizeEmail. */
export const ZEmailAddress = z.string().transform((value, ctx) => {
  const email = normalizeEmail(value);
  if (email === null) {
    ctx.addIssue({ code: 'custom', message: EMAIL_ADDRESS_MESSAGE });
    return z.NEVER;
  }
  return email;
});
