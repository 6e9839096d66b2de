/**
 * The emails a local run captured (DATA_DIR/outbox/*.eml, written by the outbox mailer when
 * SMTP_URL is unset), parsed for the stand-in's Outbox: subject, recipients, time, text body and
 * the links in it (the candidate's portal link among them).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export type TOutboxEmail = {
  file: string;
  subject: string;
  to: string[];
  from: string;
  date: string;
  text: string;
  links: string[];
  hasCalendar: boolean;
};

/** Outboxes of long local runs grow; the page shows the newest. */
const SHOWN = 30;

export async function listOutbox(dir: string): Promise<TOutboxEmail[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  const withTimes = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(path.join(dir, name))).mtimeMs })),
  );
  withTimes.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  // postal-mime is only needed here (local mode), so it is loaded on first use.
  const { default: PostalMime } = await import('postal-mime');
  return Promise.all(
    withTimes.slice(0, SHOWN).map(async ({ name, mtime }) => {
      const parsed = await PostalMime.parse(await readFile(path.join(dir, name)));
      const text = parsed.text ?? '';
      const links = [...new Set(text.match(/https?:\/\/[^\s<>"')\]]+/g) ?? [])];
      return {
        file: name,
        subject: parsed.subject ?? '(no subject)',
        to: (parsed.to ?? []).map((a) => ('address' in a && a.address ? a.address : a.name)),
        from: parsed.from && 'address' in parsed.from ? (parsed.from.address ?? '') : '',
        date: parsed.date ?? new Date(mtime).toISOString(),
        text,
        links,
        hasCalendar: parsed.attachments.some((a) => a.mimeType === 'text/calendar'),
      };
    }),
  );
}
