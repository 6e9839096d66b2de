/** Builds the signed transcript link for an interview from the configuration. */
import type { TConfig } from '../../config.js';
import { AppError } from '../../domain/errors.js';
import { transcriptUrl } from '../../domain/transcript-link.js';

export function transcriptLinkSecret(config: TConfig): string {
  const secret = config.transcriptLinks.secret;
  if (!secret)
    throw new AppError(
      'internal',
      'TRANSCRIPT_LINK_SECRET is not set: transcript links cannot be signed (set it, at least 32 characters).',
    );
  return secret;
}

/** A link valid for config.transcriptLinks.ttlDays from `now`. */
export function transcriptLinkFor(config: TConfig, interviewId: string, now: Date): string {
  const expiresAt = new Date(now.getTime() + config.transcriptLinks.ttlDays * 24 * 3600 * 1000);
  return transcriptUrl(config.publicUrl, interviewId, expiresAt, transcriptLinkSecret(config));
}
