/**
 * Signed, expiring links to an interview's pages for the hiring team: the transcript and the
 * audit record. The signature is HMAC-SHA256 over the page, the interview id and the expiry
 * (unix seconds), so a link cannot be moved to another interview or page, or extended; ids
 * alone are never enough.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TTranscriptLinkCheck = 'valid' | 'expired' | 'invalid';

/** Which page a link opens; part of what is signed. */
export type TLinkPage = 'transcript' | 'audit';

function mac(interviewId: string, expiresAtSeconds: number, secret: string, page: TLinkPage): string {
  return createHmac('sha256', secret).update(`${page}:${interviewId}:${expiresAtSeconds}`).digest('hex');
}

/** The `exp` (unix seconds) and `sig` (hex) query parameters of a transcript link. */
export function signTranscriptLink(
  interviewId: string,
  expiresAt: Date,
  secret: string,
  page: TLinkPage = 'transcript',
): { exp: number; sig: string } {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return { exp, sig: mac(interviewId, exp, secret, page) };
}

/**
 * 'valid' only for an untampered signature whose expiry is still ahead of `now`. The
 * signature is checked first (timing-safe), so 'expired' is only said of genuine links.
 */
export function verifyTranscriptLink(
  input: { interviewId: string; exp: unknown; sig: unknown },
  secret: string,
  now: Date,
  page: TLinkPage = 'transcript',
): TTranscriptLinkCheck {
  const { interviewId, exp, sig } = input;
  if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
  const expText = typeof exp === 'number' ? String(exp) : exp;
  if (typeof expText !== 'string' || !/^\d{1,12}$/.test(expText)) return 'invalid';
  const expSeconds = Number(expText);
  const expected = Buffer.from(mac(interviewId, expSeconds, secret, page), 'hex');
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return expSeconds * 1000 > now.getTime() ? 'valid' : 'expired';
}

const PAGE_PATHS: Record<TLinkPage, string> = { transcript: '/transcripts/', audit: '/audits/' };

/** The full URL of an interview's transcript (or audit) page. */
export function transcriptUrl(
  publicUrl: string,
  interviewId: string,
  expiresAt: Date,
  secret: string,
  page: TLinkPage = 'transcript',
): string {
  const { exp, sig } = signTranscriptLink(interviewId, expiresAt, secret, page);
  return `${publicUrl.replace(/\/+$/, '')}${PAGE_PATHS[page]}${encodeURIComponent(interviewId)}?exp=${exp}&sig=${sig}`;
}
