import { readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { createMailer } from '../../src/infra/mail/mailer.js';
import { testConfig } from '../helpers/config.js';
import { startSmtpServer } from '../helpers/smtp.js';

const dataDir = `/tmp/panelist-mailer-${process.pid}`;
const logger = createLogger('silent');
const message = {
  from: 'Acme <interviews@acme.test>',
  to: { name: 'Ann Lee', address: 'ann@example.com' },
  subject: 'Hello',
  text: 'Plain',
  html: '<p>Html</p>',
  messageId: '<panelist.test.invite.r1@acme.test>',
};

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('the mailer', () => {
  it('without SMTP_URL on a local run saves each message as an .eml file under the outbox', async () => {
    const mailer = createMailer(testConfig({ DATA_DIR: dataDir }), logger);
    expect(mailer.mode).toBe('outbox');
    await mailer.verify();
    const result = await mailer.send(message);
    expect(result.file).toBe(path.join(dataDir, 'outbox', path.basename(result.file!)));
    expect(await readdir(path.join(dataDir, 'outbox'))).toEqual([path.basename(result.file!)]);
    const parsed = await PostalMime.parse(await readFile(result.file!));
    expect(parsed.subject).toBe('Hello');
    expect(parsed.messageId).toBe('<panelist.test.invite.r1@acme.test>');
    await mailer.close();
  });

  it('refuses the outbox in production with a message that says what to set', async () => {
    const mailer = createMailer({ ...testConfig({ DATA_DIR: dataDir }), env: 'production' }, logger);
    await expect(mailer.verify()).rejects.toThrow(/^SMTP_URL is not set: in production/);
  });

  it('checks the server at start-up and says clearly when it cannot be reached', async () => {
    const port = await closedPort();
    const mailer = createMailer(testConfig({ SMTP_URL: `smtp://user:secret@127.0.0.1:${port}` }), logger, {
      timeoutMs: 2000,
    });
    const err = await mailer.verify().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      `Cannot use the mail server at smtp://127.0.0.1:${port} (SMTP_URL): connection refused. Is the server running, and is the port right?`,
    );
    expect(err?.message).not.toContain('secret');
    await mailer.close();
  });

  it('verifies and sends over a pooled SMTP connection', async () => {
    const smtp = await startSmtpServer();
    const mailer = createMailer(testConfig({ SMTP_URL: smtp.url }), logger);
    await mailer.verify();
    const sent = await mailer.send(message);
    expect(sent.messageId).toBe('<panelist.test.invite.r1@acme.test>');
    const [m] = await smtp.waitFor(1);
    expect(m!.parsed.messageId).toBe('<panelist.test.invite.r1@acme.test>');
    await mailer.close();
    await smtp.close();
  });
});
