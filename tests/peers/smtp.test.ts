import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';

let smtp: SmtpTestServer;
let transport: Transporter;

beforeAll(async () => {
  smtp = await startSmtpServer();
  transport = nodemailer.createTransport(smtp.url);
});

afterAll(async () => {
  transport.close();
  await smtp.close();
});

beforeEach(() => {
  smtp.reset();
});

const invite = {
  from: 'Panelist <interviews@panelist.test>',
  to: 'Ada Lovelace <ada@example.com>',
  subject: 'Your interview on 2 March',
  text: 'Join at https://panelist.test/i/abc',
  html: '<p>Join at <a href="https://panelist.test/i/abc">your interview</a></p>',
  icalEvent: {
    method: 'REQUEST',
    content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n',
  },
};

describe('SMTP test server, driven by nodemailer', () => {
  it('captures and parses what nodemailer sends', async () => {
    const info = await transport.sendMail(invite);
    expect(info.accepted).toEqual(['ada@example.com']);
    const [mail] = await smtp.waitFor(1, 2000);
    expect(mail?.envelope).toEqual({ mailFrom: 'interviews@panelist.test', rcptTo: ['ada@example.com'] });
    expect(mail?.parsed.subject).toBe('Your interview on 2 March');
    expect(mail?.parsed.to).toEqual([{ address: 'ada@example.com', name: 'Ada Lovelace' }]);
    expect(mail?.parsed.text?.trim()).toBe('Join at https://panelist.test/i/abc');
    expect(mail?.parsed.attachments.some((a) => a.mimeType === 'text/calendar')).toBe(true);
    expect(mail?.raw.toString()).toContain('METHOD:REQUEST');
  });

  it('fails temporarily with 421 and permanently with 550, then accepts again', async () => {
    smtp.failNext(421, 1);
    await expect(transport.sendMail(invite)).rejects.toMatchObject({ responseCode: 421 });

    smtp.failNext(550, 1, '5.7.1 Message refused');
    await expect(transport.sendMail(invite)).rejects.toMatchObject({ responseCode: 550, code: 'EMESSAGE' });

    await transport.sendMail(invite);
    expect(await smtp.waitFor(1, 2000)).toHaveLength(1);
  });

  it('refuses matching recipients at RCPT TO', async () => {
    smtp.failRecipients(/@bounce\.test$/);
    const info = await transport.sendMail({ ...invite, to: ['ada@example.com', 'ghost@bounce.test'] });
    expect(info.accepted).toEqual(['ada@example.com']);
    expect(info.rejected).toEqual(['ghost@bounce.test']);
    await expect(transport.sendMail({ ...invite, to: 'ghost@bounce.test' })).rejects.toMatchObject({
      responseCode: 550,
      code: 'EENVELOPE',
    });
    const mails = await smtp.waitFor(1, 2000);
    expect(mails[0]?.envelope.rcptTo).toEqual(['ada@example.com']);
  });
});
