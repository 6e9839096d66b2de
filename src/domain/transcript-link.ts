/**
 * Signed, expiring links to an interview's transcript page for the hiring team. The
 * signature is HMAC-SHA256 over the interview id and the expiry (unix seconds), so a link
 * cannot be moved to another interview or extended; ids alone are never enough.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TTranscriptLinkCheck = 'valid' | 'expired' | 'invalid';

/**
 * What a link opens: the hiring team's transcript page or audit record, or the candidate's own
 * pages (data page, request form). The purpose is signed too, so a link opens only its own page.
 */
export type TLinkPurpose = 'transcript' | 'audit' | 'candidate';

function mac(purpose: TLinkPurpose, interviewId: string, expiresAtSeconds: number, secret: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${interviewId}:${expiresAtSeconds}`).digest('hex');
}

/** The `exp` (unix seconds) and `sig` (hex) query parameters of a signed link. */
export function signLink(
  purpose: TLinkPurpose,
  interviewId: string,
  expiresAt: Date,
  secret: string,
): { exp: number; sig: string } {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return { exp, sig: mac(purpose, interviewId, exp, secret) };
}

/** The `exp` (unix seconds) and `sig` (hex) query parameters of a transcript link. */
export function signTranscriptLink(
  interviewId: string,
  expiresAt: Date,
  secret: string,
): { exp: number; sig: string } {
  return signLink('transcript', interviewId, expiresAt, secret);
}

/**
 * 'valid' only for an untampered signature whose expiry is still ahead of `now`. The
 * signature is checked first (timing-safe), so 'expired' is only said of genuine links.
 */
export function verifyTranscriptLink(
  input: { interviewId: string; exp: unknown; sig: unknown },
  secret: string,
  now: Date,
): TTranscriptLinkCheck {
  return verifyLink('transcript', input, secret, now);
}

/** verifyTranscriptLink for any purpose. */
export function verifyLink(
  purpose: TLinkPurpose,
  input: { interviewId: string; exp: unknown; sig: unknown },
  secret: string,
  now: Date,
): TTranscriptLinkCheck {
  const { interviewId, exp, sig } = input;
  if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
  const expText = typeof exp === 'number' ? String(exp) : exp;
  if (typeof expText !== 'string' || !/^\d{1,12}$/.test(expText)) return 'invalid';
  const expSeconds = Number(expText);
  const expected = Buffer.from(mac(purpose, interviewId, expSeconds, secret), 'hex');
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return expSeconds * 1000 > now.getTime() ? 'valid' : 'expired';
}

/** The full URL of an interview's audit record page. */
export function auditUrl(publicUrl: string, interviewId: string, expiresAt: Date, secret: string): string {
  const { exp, sig } = signLink('audit', interviewId, expiresAt, secret);
  return `${publicUrl.replace(/\/+$/, '')}/audits/${encodeURIComponent(interviewId)}?exp=${exp}&sig=${sig}`;
}

/** The full URL of an interview's transcript page. */
export function transcriptUrl(
  publicUrl: string,
  interviewId: string,
  expiresAt: Date,
  secret: string,
): string {
  const { exp, sig } = signTranscriptLink(interviewId, expiresAt, secret);
  return `${publicUrl.replace(/\/+$/, '')}/transcripts/${encodeURIComponent(interviewId)}?exp=${exp}&sig=${sig}`;
}
