import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * A real SMTP server (`smtp-server`, from nodemailer's authors) that captures what nodemailer sends and
 * parses it with postal-mime. Failures are injected the way mail servers answer: a 4xx reply is
 * temporary (retry later), a 5xx reply is permanent.
 */

export interface CapturedMail {
  envelope: { mailFrom: string | null; rcptTo: string[] };
  raw: Buffer;
  parsed: Email;
}

export interface SmtpTestServer {
  /** For `nodemailer.createTransport(url)`: `smtp://127.0.0.1:PORT`. */
  url: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves with the messages once at least `n` arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<CapturedMail[]>;
  /**
   * The next `times` messages are refused with `code` after their DATA (nothing is stored). A 421 also
   * closes the connection, as RFC 5321 says a server does; nodemailer reports `responseCode` 421.
   */
  failNext(code: number, times?: number, message?: string): void;
  /** Recipients matching `pattern` are refused at RCPT TO with `code` (550: mailbox unavailable). */
  failRecipients(pattern: RegExp, code?: number): void;
  /** Forgets the captured messages and the injected failures. */
  reset(): void;
  close(): Promise<void>;
}

export interface SmtpTestServerOptions {
  disabledCommands?: string[];
  authOptional?: boolean;
  /** Maximum message size in bytes, advertised in EHLO (SIZE) and enforced. */
  size?: number;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function defaultMessage(code: number): string {
  if (code === 421) return 'Service not available, closing transmission channel, try again later';
  if (code >= 400 && code < 500)
    return 'Requested action aborted: local error in processing, try again later';
  return 'Requested action not taken: message refused';
}

/** Starts the server on 127.0.0.1 at a free port. STARTTLS and AUTH are off by default. */
export async function startSmtpServer(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  let failures: { code: number; message: string; left: number } | null = null;
  let rejectedRecipients: { pattern: RegExp; code: number } | null = null;

  const serverOptions: SMTPServerOptions = {
    disabledCommands: options.disabledCommands ?? ['STARTTLS', 'AUTH'],
    authOptional: options.authOptional ?? true,
    logger: false,
    // Connections left open by pooled transports must not hold close() for the default 30 s.
    closeTimeout: 200,
    ...(options.size === undefined ? {} : { size: options.size }),
    onRcptTo(address, _session, callback) {
      if (rejectedRecipients?.pattern.test(address.address)) {
        const { code } = rejectedRecipients;
        callback(smtpError(code, `<${address.address}>: Recipient address rejected: mailbox unavailable`));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        void (async () => {
          if (failures && failures.left > 0) {
            failures.left -= 1;
            const { code, message } = failures;
            callback(smtpError(code, message));
            if (code === 421) {
              // 421 means the server closes the channel (RFC 5321 §3.8); let the reply go out first.
              setImmediate(() => {
                for (const connection of server.connections) {
                  if (connection.session.id === session.id) connection.close();
                }
              });
            }
            return;
          }
          if (stream.sizeExceeded) {
            callback(smtpError(552, 'Message exceeds fixed maximum message size'));
            return;
          }
          const raw = Buffer.concat(chunks);
          try {
            const parsed = await PostalMime.parse(raw);
            const mailFrom = session.envelope.mailFrom;
            messages.push({
              envelope: {
                mailFrom: mailFrom ? mailFrom.address : null,
                rcptTo: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
            });
            for (const waiter of [...waiters]) waiter();
            callback(null, 'OK: message queued');
          } catch (error) {
            callback(smtpError(554, `Transaction failed: ${(error as Error).message}`));
          }
        })();
      });
    },
  };

  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // smtp-server logs and keeps going on socket errors; without a listener an 'error' event would throw.
  server.on('error', () => {});
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP test server: no TCP address');

  return {
    url: `smtp://127.0.0.1:${address.port}`,
    port: address.port,
    messages,
    waitFor(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP: ${messages.length} of ${n} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice());
        };
        waiters.add(check);
      });
    },
    failNext(code, times = 1, message) {
      failures = { code, message: message ?? defaultMessage(code), left: times };
    },
    failRecipients(pattern, code = 550) {
      rejectedRecipients = { pattern, code };
    },
    reset() {
      messages.length = 0;
      failures = null;
      rejectedRecipients = null;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of server.connections) connection.close();
      });
    },
  };
}
