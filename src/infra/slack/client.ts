/** The Web API client used outside Bolt listeners (workers, services). */
import { LogLevel, WebClient } from '@slack/web-api';
import { slackFetch } from './fetch.js';

export function createSlackClient(opts: {
  token: string;
  apiUrl?: string | undefined;
  /** Retries of a failed call; WebClient's default (10, over about 30 minutes) when unset. */
  retries?: number;
}): WebClient {
  return new WebClient(opts.token, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    ...(opts.retries !== undefined ? { retryConfig: { retries: opts.retries, factor: 2 } } : {}),
    logLevel: LogLevel.ERROR,
    // node:http with keep-alive: Node's built-in fetch costs ~0.5 ms of CPU per call (fetch.ts).
    fetch: slackFetch,
    // Keep WebClient's default retries: they honour Slack's Retry-After on 429.
  });
}

/** ts of a message in a thread, or the message itself when there is no thread yet. */
export function threadOf(interview: { slackChannelId: string; slackThreadTs: string | null }) {
  return {
    channel: interview.slackChannelId,
    ...(interview.slackThreadTs ? { thread_ts: interview.slackThreadTs } : {}),
  };
}
