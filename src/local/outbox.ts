/**
 * The emails a local run captured (DATA_DIR/outbox/*.eml, written by the outbox mailer when
 * SMTP_URL is unset), parsed for the stand-in's Outbox: subject, recipients, time, text body and
 * the links in it (the candidate's portal link among them).
 */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
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
  /** The HTML part, shown in a sandboxed frame (served by the stand-in, never inlined). */
  hasHtml: boolean;
  /** The calendar part's text (METHOD, SUMMARY, DTSTART…), as a calendar app reads it. */
  calendar: string | null;
};

/** An outbox file name as the outbox mailer writes it: nothing that could leave the folder. */
export function isOutboxFile(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,200}\.eml$/.test(name) && !name.startsWith('.');
}

/** One captured email's raw bytes and its HTML part, for download and the sandboxed preview. */
export async function readOutboxEmail(
  dir: string,
  file: string,
): Promise<{ raw: Buffer; html: string | null } | undefined> {
  if (!isOutboxFile(file)) return undefined;
  let raw: Buffer;
  try {
    raw = await readFile(path.join(dir, file));
  } catch {
    return undefined;
  }
  const { default: PostalMime } = await import('postal-mime');
  const parsed = await PostalMime.parse(raw);
  return { raw, html: parsed.html ?? null };
}

/**
 * Removes the captured emails to addresses `isKept` rejects: a candidate whose data was deleted
 * must not live on in the Outbox. Returns how many files went.
 */
export async function forgetOutboxRecipients(
  dir: string,
  isKept: (address: string) => Promise<boolean>,
): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isOutboxFile);
  } catch {
    return 0;
  }
  const { default: PostalMime } = await import('postal-mime');
  let removed = 0;
  for (const name of names) {
    const parsed = await PostalMime.parse(await readFile(path.join(dir, name)));
    const to = (parsed.to ?? []).map((a) => ('address' in a && a.address ? a.address.toLowerCase() : ''));
    const kept = await Promise.all(to.filter(Boolean).map(isKept));
    if (to.length > 0 && !kept.some(Boolean)) {
      await unlink(path.join(dir, name)).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

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
        hasHtml: Boolean(parsed.html),
        calendar: calendarText(parsed.attachments),
      };
    }),
  );
}

function calendarText(
  attachments: Array<{ mimeType: string; content: ArrayBuffer | Uint8Array | string }>,
): string | null {
  const part = attachments.find((a) => a.mimeType === 'text/calendar');
  if (!part) return null;
  const content = part.content;
  const text = typeof content === 'string' ? content : Buffer.from(content as ArrayBuffer).toString('utf8');
  // Unfold RFC 5545 continuation lines so each property reads on one line.
  return text
    .replace(/\r?\n[ \t]/g, '')
    .replace(/\r\n/g, '\n')
    .trim();
}
