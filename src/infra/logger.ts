/**
 * Structured logs (pino). Secrets, session keys, email addresses and transcripts
 * never reach a log line: known fields are redacted by path, and free-text
 * messages go through scrubLogText before they are logged.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'password',
  'sessionKey',
  'session_key',
  'email',
  'to',
  'answerText',
  'transcript',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  '*.token',
  '*.sessionKey',
  '*.email',
  '*.answerText',
  '*.transcript',
];

export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'panelist' },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    ...(options.pretty ? {} : {}),
  });
}

const SESSION_KEY_IN_URL = /(session_key=)[A-Za-z0-9_-]+/g;
const EMAIL = /[^\s@<>"']+@[^\s@<>"']+\.[A-Za-z]{2,}/g;
const SLACK_TOKEN = /xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g;

/** Removes session keys, email addresses and Slack tokens from free text (URLs, error messages). */
export function scrubLogText(text: string): string {
  return text
    .replace(SESSION_KEY_IN_URL, '$1[redacted]')
    .replace(SLACK_TOKEN, '[redacted-token]')
    .replace(EMAIL, '[redacted-email]');
}

/**
 * Prisma's "Invalid `prisma.x()` invocation" messages quote the call, and a validation error
 * quotes its arguments (emails, names): only the last line, the cause, goes to the log.
 */
export function loggableMessage(err: unknown): string {
  const message = scrubLogText(String((err as Error)?.message ?? err));
  if (!/Invalid `[^`]+` invocation/.test(message)) return message.slice(0, 500);
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  return `${lines[0]?.trim()} … ${lines.at(-1)?.trim() ?? ''}`.slice(0, 500);
}
