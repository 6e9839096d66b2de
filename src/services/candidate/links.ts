/**
 * Links to the candidate's own pages (data page, request form, self-identification), signed so
 * they work without the session key: the emails that carry no key (cancellation, the reply to a
 * request) link to them too. A link lasts as long as the interview's data can (retention after
 * the interview) plus a month, so an old email still reaches the page that says it was deleted.
 */
import type { TConfig } from '../../config.js';
import { signLink } from '../../domain/transcript-link.js';
import { transcriptLinkSecret } from '../evaluation/transcript-link.js';

const DAY_MS = 24 * 3600_000;

export type TCandidatePage = 'data' | 'request' | 'self-identification';

export const CANDIDATE_PAGE_PATHS: Record<TCandidatePage, string> = {
  data: '/my-data',
  request: '/my-data/request',
  'self-identification': '/my-data/self-identification',
};

/** The query string that opens a candidate page: the session key, or a signed interview id. */
export function candidateAccessQuery(
  config: TConfig,
  interview: { id: string; scheduledEnd: Date },
  now: Date,
): string {
  const until =
    Math.max(interview.scheduledEnd.getTime(), now.getTime()) + (config.retentionDays + 30) * DAY_MS;
  const { exp, sig } = signLink('candidate', interview.id, new Date(until), transcriptLinkSecret(config));
  return `i=${encodeURIComponent(interview.id)}&exp=${exp}&sig=${sig}`;
}

/** The full URL of one of the candidate's pages, signed. */
export function candidatePageUrl(
  config: TConfig,
  page: TCandidatePage,
  interview: { id: string; scheduledEnd: Date },
  now: Date,
): string {
  return `${config.publicUrl}${CANDIDATE_PAGE_PATHS[page]}?${candidateAccessQuery(config, interview, now)}`;
}
