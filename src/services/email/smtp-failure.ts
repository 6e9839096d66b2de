/**
 * What a failed send means: whether retrying can help, and a sentence a recruiter understands.
 * RFC 5321: 4yz replies are transient, 5yz permanent (nodemailer marks them `permanent`);
 * an error with no reply at all (connection refused, timeout, TLS) is treated as transient.
 */
import { stripControlChars, truncate } from '../../domain/escape.js';

export type TSendFailure = {
  isPermanent: boolean;
  /** For Slack (may name the candidate's address; never log it). */
  description: string;
  /** For logs and the database: codes only, no addresses, no server text. */
  code: string;
};

type TNodemailerError = {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
  message?: string;
};

/** The server's reply text, made safe and short: `550 5.1.1 unknown user`. */
function replyText(e: TNodemailerError): string {
  const raw = e.response ?? '';
  return truncate(stripControlChars(raw).replace(/\s+/g, ' ').trim(), 120);
}

export function classifySendFailure(err: unknown, recipient: string): TSendFailure {
  const e = (err ?? {}) as TNodemailerError;
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = replyText(e);
  const code = `${e.code ?? 'EUNKNOWN'}${rc ? `:${rc}` : ''}`;
  const isPermanent = rc !== undefined && (e.permanent ?? rc >= 500) && rc >= 500;
  if (rc !== undefined && rc >= 500) {
    if (e.code === 'EENVELOPE' && /RCPT/i.test(e.command ?? '')) {
      return {
        isPermanent,
        code,
        description: `The mailbox ${recipient} was refused by the mail server (${reply || rc})`,
      };
    }
    if (e.code === 'EAUTH') {
      return {
        isPermanent,
        code,
        description: `The mail server refused Panelist's login (${reply || rc}); check SMTP_URL`,
      };
    }
    return { isPermanent, code, description: `The mail server refused the message (${reply || rc})` };
  }
  if (rc !== undefined && rc >= 400) {
    return {
      isPermanent: false,
      code,
      description: `The mail server kept deferring the message (${reply || rc})`,
    };
  }
  const sys = (err as NodeJS.ErrnoException | undefined)?.code ?? e.code ?? '';
  return {
    isPermanent: false,
    code,
    description: `The mail server could not be reached (${sys || 'no answer'})`,
  };
}
