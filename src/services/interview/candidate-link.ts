/**
 * The candidate's portal link, rebuilt from the key stored encrypted on the interview row. The key
 * never travels through the job queue: the email and notify jobs carry the interview id, and the
 * worker opens the key here. Cancelling or redacting an interview clears it.
 */
import type { TConfig } from '../../config.js';
import { openSessionKey, portalLink, sealSessionKey } from '../../domain/session-key.js';

function secretOf(config: Pick<TConfig, 'candidateLinks'>): string {
  const secret = config.candidateLinks.secret;
  if (!secret)
    throw new Error('CANDIDATE_LINK_SECRET is not set (a local run generates it under DATA_DIR/secrets)');
  return secret;
}

/** The key as stored on the interview row. */
export function sealForInterview(config: Pick<TConfig, 'candidateLinks'>, key: string, interviewId: string) {
  return sealSessionKey(key, secretOf(config), interviewId);
}

/** The link to put in an email or the recruiter's private note; undefined once the key was cleared. */
export function candidateLinkOf(
  config: Pick<TConfig, 'candidateLinks' | 'publicUrl'>,
  interview: { id: string; sessionKeySealed: string | null },
): string | undefined {
  if (!interview.sessionKeySealed) return undefined;
  return portalLink(
    config.publicUrl,
    openSessionKey(interview.sessionKeySealed, secretOf(config), interview.id),
  );
}
