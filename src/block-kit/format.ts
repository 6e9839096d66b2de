/** Small Block Kit/mrkdwn helpers shared by message builders. */
import { escapeMrkdwn, truncate } from '../domain/escape.js';
import { formatInZone } from '../domain/time.js';

/** `<!date^…>` renders in each reader's own time zone; the fallback is UTC. */
export function slackDate(date: Date, format = '{date_short_pretty} at {time}'): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^${format}|${formatInZone(date, 'UTC', 'datetime')} UTC>`;
}

/** User-typed text for mrkdwn: escaped (no mentions, no links) and bounded. */
export function userText(s: string, max = 300): string {
  return escapeMrkdwn(truncate(s, max));
}

export const STATUS_LABELS: Record<string, string> = {
  scheduled: ':calendar: Scheduled',
  in_progress: ':studio_microphone: In progress',
  // The evaluation's own outcome (pending, not configured, failed) is in the message's status note.
  completed: ':checkered_flag: Interview completed',
  evaluated: ':white_check_mark: Evaluated',
  cancelled: ':x: Cancelled',
  expired: ':ghost: Candidate did not join',
  failed: ':warning: Evaluation failed',
};
