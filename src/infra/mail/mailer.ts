/**
 * The mail transport. With SMTP_URL: nodemailer over a pooled SMTP connection
 * (smtp:// is plain or STARTTLS as the server offers, smtps:// is implicit TLS;
 * `?requireTLS=true` in the URL insists on STARTTLS). Without it on a local run:
 * every message is written as an .eml file under DATA_DIR/outbox/ and its path
 * is logged, so Panelist works without any mail account.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import nodemailer from 'nodemailer';
import type { TConfig } from '../../config.js';
import type { Logger } from '../logger.js';

export type TMailAddress = { name: string; address: string };

/** A fully rendered message. Header values must already be sanitised (see services/email/render.ts). */
export type TMailMessage = {
  from: string;
  to: TMailAddress;
  replyTo?: string | undefined;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID to use, with angle brackets. Deterministic ids make a resend recognisable. */
  messageId: string;
  /** A calendar invite, sent as a text/calendar alternative with its METHOD. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string } | undefined;
  headers?: Record<string, string> | undefined;
};

export type TMailResult = {
  messageId: string;
  /** The server's final reply ("250 OK: queued as …"), or the outbox file. */
  response: string;
  /** Set in outbox mode: where the .eml was written. */
  file?: string | undefined;
};

export type TMailer = {
  readonly mode: 'smtp' | 'outbox';
  /** Sends one message. Rejects with nodemailer's error (responseCode, code, command) on failure. */
  send(message: TMailMessage): Promise<TMailResult>;
  /** Checks that the server answers and accepts the login; throws an Error that says what to fix. */
  verify(): Promise<void>;
  close(): Promise<void>;
};

export type TMailerOptions = {
  /** Pool size (parallel SMTP connections). */
  maxConnections?: number;
  /** Connection and greeting timeouts, ms. */
  timeoutMs?: number;
};

/** Chooses SMTP or the outbox from the configuration. */
export function createMailer(
  config: Pick<TConfig, 'env' | 'dataDir' | 'mail'>,
  logger: Logger,
  options: TMailerOptions = {},
): TMailer {
  const log = logger.child({ component: 'mailer' });
  if (config.mail.smtpUrl) return createSmtpMailer(config.mail.smtpUrl, log, options);
  return createOutboxMailer(outboxDir(config.dataDir), log, config.env === 'production');
}

function toNodemailer(message: TMailMessage) {
  return {
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    ...(message.headers ? { headers: message.headers } : {}),
    ...(message.calendar
      ? { icalEvent: { method: message.calendar.method, content: message.calendar.content } }
      : {}),
    // Never read files or URLs named in a message: everything here is inline.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function createSmtpMailer(url: string, log: Logger, options: TMailerOptions): TMailer {
  const timeout = options.timeoutMs ?? 20_000;
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: 500,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 3 * timeout,
  });
  const where = describeServer(url);
  return {
    mode: 'smtp',
    async send(message) {
      const info = await transport.sendMail(toNodemailer(message));
      return { messageId: info.messageId ?? message.messageId, response: String(info.response ?? '') };
    },
    async verify() {
      try {
        await transport.verify();
        log.info({ server: where }, 'mail server reachable');
      } catch (err) {
        throw new Error(explainVerifyFailure(err, where), { cause: err });
      }
    },
    async close() {
      transport.close();
    },
  };
}

function createOutboxMailer(dir: string, log: Logger, isProduction: boolean): TMailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    mode: 'outbox',
    async send(message) {
      const info = await transport.sendMail(toNodemailer(message));
      await mkdir(dir, { recursive: true });
      // Named after the time and the Message-ID only: no address in a file name that gets logged.
      const safeId = message.messageId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      await writeFile(file, info.message as Buffer);
      log.info({ file, link: pathToFileURL(file).href }, 'email saved to the outbox (SMTP_URL is not set)');
      return { messageId: message.messageId, response: `saved to ${file}`, file };
    },
    async verify() {
      if (isProduction) {
        throw new Error(
          'SMTP_URL is not set: in production Panelist must send invitations through a mail server ' +
            '(e.g. SMTP_URL=smtps://user:password@smtp.example.com:465).',
        );
      }
      await mkdir(dir, { recursive: true });
      log.warn({ dir }, 'SMTP_URL is not set: emails are saved as .eml files instead of being sent');
    },
    async close() {
      transport.close();
    },
  };
}

/** host:port of an SMTP URL, without the credentials. */
function describeServer(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'smtps:' ? '465' : '587');
    return `${u.protocol}//${u.hostname}:${port}`;
  } catch {
    return '(unparseable SMTP_URL)';
  }
}

function explainVerifyFailure(err: unknown, where: string): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const base = `Cannot use the mail server at ${where} (SMTP_URL)`;
  switch (e.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return `${base}: it refused the login${e.responseCode ? ` (${e.responseCode})` : ''}. Check the user name and password in SMTP_URL.`;
    case 'ETLS':
    case 'EREQUIRETLS':
      return `${base}: the TLS handshake failed. Use smtps:// for implicit TLS (usually port 465) or smtp:// for STARTTLS (usually 587).`;
    case 'EDNS':
      return `${base}: the host name does not resolve. Check SMTP_URL.`;
    case 'ETIMEDOUT':
      return `${base}: no answer in time. Check the host, the port and any firewall.`;
    default: {
      const sysCode = (err as NodeJS.ErrnoException).code;
      if (sysCode === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? ''))
        return `${base}: connection refused. Is the server running, and is the port right?`;
      return `${base}: ${e.responseCode ? `${e.responseCode} ` : ''}${(e.message ?? String(err)).slice(0, 200)}`;
    }
  }
}

/** Where a local run (no SMTP_URL) keeps the messages it "sent". */
export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

/**
 * Deletes the captured messages about these interviews from the outbox (their file names carry
 * the Message-ID, which carries the interview id). Returns how many were deleted.
 */
export async function deleteOutboxMail(dataDir: string, interviewIds: string[]): Promise<number> {
  if (interviewIds.length === 0) return 0;
  const dir = outboxDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const doomed = names.filter((n) => n.endsWith('.eml') && interviewIds.some((id) => n.includes(id)));
  await Promise.all(doomed.map((n) => rm(path.join(dir, n), { force: true })));
  return doomed.length;
}
