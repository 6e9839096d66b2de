/** The Web API client used outside Bolt listeners (workers, services). */
import { LogLevel, type RetryOptions, WebClient } from '@slack/web-api';
import { slackFetch } from './fetch.js';

/**
 * Every Slack call is bounded: a request fails after 8 s without an answer (fetch.ts), then up to
 * 3 retries (1 s, 2 s, 4 s apart, honouring Slack's Retry-After on 429), and no retry starts after
 * 30 s. WebClient's default (10 retries over about 30 minutes) held a notify job inside one call
 * through a Slack outage; now the call fails and the job is retried by the queue with its own
 * backoff (the booking decision already stands).
 */
export const SLACK_RETRIES: RetryOptions = {
  retries: 3,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 4000,
  maxRetryTime: 30_000,
};

export function createSlackClient(opts: {
  token: string;
  apiUrl?: string | undefined;
  /** Retries of a failed call (default 3, see SLACK_RETRIES). */
  retries?: number;
}): WebClient {
  return new WebClient(opts.token, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: { ...SLACK_RETRIES, ...(opts.retries !== undefined ? { retries: opts.retries } : {}) },
    logLevel: LogLevel.ERROR,
    // node:http with keep-alive: Node's built-in fetch costs ~0.5 ms of CPU per call (fetch.ts).
    fetch: slackFetch,
  });
}

/** ts of a message in a thread, or the message itself when there is no thread yet. */
export function threadOf(interview: { slackChannelId: string; slackThreadTs: string | null }) {
  return {
    channel: interview.slackChannelId,
    ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
  };
}
