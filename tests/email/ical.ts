/** Finds the calendar part of a received message and parses it with node-ical. */
import ical from 'node-ical';
import type { CapturedMail } from '../helpers/smtp.js';

export type TParsedInvite = {
  method: string;
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  status: string | undefined;
  url: string | undefined;
  raw: string;
};

export function calendarText(mail: CapturedMail): string {
  const part = mail.parsed.attachments.find((a) => a.mimeType.startsWith('text/calendar'));
  if (!part) throw new Error('no text/calendar part in the message');
  const content = part.content;
  return typeof content === 'string' ? content : Buffer.from(content as ArrayBuffer).toString('utf8');
}

export function parseInvite(mail: CapturedMail): TParsedInvite {
  const raw = calendarText(mail);
  const data = ical.sync.parseICS(raw);
  const event = Object.values(data).find((c) => c?.type === 'VEVENT') as
    | (ical.VEvent & { sequence?: string | number; url?: string })
    | undefined;
  if (!event) throw new Error('no VEVENT in the calendar part');
  const method = /^METHOD:(.+)$/m.exec(raw)?.[1]?.trim() ?? '';
  return {
    method,
    uid: event.uid,
    sequence: Number(event.sequence),
    start: new Date(event.start as unknown as string),
    end: new Date(event.end as unknown as string),
    status: event.status,
    url: typeof event.url === 'string' ? event.url : undefined,
    raw,
  };
}
