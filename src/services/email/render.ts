/**
 * Renders candidate emails: subject, plain text, HTML and the calendar part. Pure: no I/O.
 *
 * Everything a person typed (candidate name, role title, company name) is cleaned of control
 * characters everywhere, HTML-escaped in the HTML, and flattened to one line with
 * sanitizeHeaderValue before it reaches a header, so CR/LF can never start a new header.
 * Times are shown in the candidate's own zone with its abbreviation and UTC offset.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { noticeTextLines, type TNotice } from '../../domain/candidate-notice.js';
import { escapeHtml, sanitizeHeaderValue, stripControlChars } from '../../domain/escape.js';
import { interviewFormatText, type TModelOffer } from '../../domain/model-offer.js';
import { zoneLabel } from '../../domain/time.js';
import type { TInterviewWindow } from '../../domain/window.js';
import type { TMailMessage } from '../../infra/mail/mailer.js';
import type { TEmailKind } from '../../infra/queue/jobs/email.js';
import { buildCalendar, calendarSequence, interviewUid } from './calendar.js';

export type TRenderInput = {
  kind: TEmailKind;
  /**
   * An update that is the first email the candidate gets (the first invite was never sent,
   * e.g. it was superseded before it went out) is worded as an invitation.
   */
  isFirstNotice?: boolean;
  interviewId: string;
  revision: number;
  candidate: { name: string; email: string; timeZone: string };
  roleTitle: string;
  companyName: string;
  start: Date;
  end: Date;
  /** The portal link with the session key; required for every kind but cancel. */
  link?: string | undefined;
  window: TInterviewWindow;
  recruiterEmail?: string | null | undefined;
  /** MAIL_FROM, e.g. `Panelist <interviews@panelist.local>`. */
  from: string;
  now: Date;
  /** The candidate notice (domain/candidate-notice.ts): shown in every email with the interview link. */
  notice?: TNotice | undefined;
  /** The candidate's data page (a signed link): every email links to it. */
  dataLink?: string | undefined;
  /** A cancel email for an interview the candidate asked to replace with a human interview. */
  isHumanAlternative?: boolean | undefined;
  /** What this installation's model can do; the preparation list says how questions are asked. */
  offer?: TModelOffer | undefined;
};

export type TRenderedEmail = TMailMessage;

const MINUTE_MS = 60_000;

// formatInTimeZone and zoneLabel are the costliest steps of rendering (~20 calls per email, mostly
// the same instants, zones and patterns: interviews share slots); both are pure, so a bounded memo
// makes a render several times cheaper.
const formatted = new Map<string, string>();
function memo(key: string, compute: () => string): string {
  let out = formatted.get(key);
  if (out === undefined) {
    out = compute();
    if (formatted.size >= 10_000) formatted.clear();
    formatted.set(key, out);
  }
  return out;
}
function fmt(date: Date, tz: string, pattern: string): string {
  return memo(`${date.getTime()}|${tz}|${pattern}`, () => formatInTimeZone(date, tz, pattern));
}
/** `EDT (UTC-04:00)`, as domain/time.ts zoneLabel writes it. */
function label(date: Date, tz: string): string {
  return memo(`${date.getTime()}|${tz}|label`, () => zoneLabel(date, tz));
}

/** `Mon 9 Mar 2026` / `14:30`, as domain/time.ts formatInZone writes them. */
const DATE = 'EEE d MMM yyyy';
const TIME = 'HH:mm';

/** One line of user text for plain text and HTML: control characters become spaces. */
function clean(s: string): string {
  return stripControlChars(s).replace(/\s+/g, ' ').trim();
}

/** The address part of MAIL_FROM (`Name <a@b>` or `a@b`). */
export function fromAddress(from: string): string {
  const angled = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (angled?.[1]) return angled[1];
  const bare = /([^\s<>]+@[^\s<>]+)/.exec(from);
  return bare?.[1] ?? 'interviews@panelist.local';
}

/** The display name part of MAIL_FROM, or the company name. */
function fromName(from: string, fallback: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*</.exec(from);
  return m?.[1]?.trim() || fallback;
}

/**
 * The Message-ID of the email for (interview, kind, revision): the same on every attempt, so a
 * resend after an ambiguous failure is recognisable as the same message (mail providers such as
 * Gmail collapse duplicates by Message-ID).
 */
export function emailMessageId(
  interviewId: string,
  kind: TEmailKind,
  revision: number,
  from: string,
): string {
  const domain = fromAddress(from).split('@')[1] ?? 'panelist.local';
  return `<panelist.${interviewId}.${kind}.r${revision}@${domain}>`;
}

export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hours = h === 0 ? '' : h === 1 ? '1 hour' : `${h} hours`;
  const mins = m === 0 ? '' : m === 1 ? '1 minute' : `${m} minutes`;
  return [hours, mins].filter(Boolean).join(' ') || '0 minutes';
}

/** `Monday 9 March 2026, 14:30–15:15 EDT (UTC-04:00)`, with both labels when DST changes in between. */
export function formatWhen(start: Date, end: Date, tz: string): string {
  const day = fmt(start, tz, 'EEEE d MMMM yyyy');
  const startLabel = label(start, tz);
  const endLabel = label(end, tz);
  const sameDay = fmt(end, tz, 'yyyy-MM-dd') === fmt(start, tz, 'yyyy-MM-dd');
  const startTime = fmt(start, tz, 'HH:mm');
  const endTime = sameDay ? fmt(end, tz, 'HH:mm') : fmt(end, tz, "EEEE d MMMM yyyy', 'HH:mm");
  if (startLabel === endLabel) return `${day}, ${startTime}–${endTime} ${startLabel}`;
  return `${day}, ${startTime} ${startLabel} – ${endTime} ${endLabel}`;
}

/** A time on the interview's day (`14:15`), with the date when it falls on another day. */
function timeNear(t: Date, start: Date, tz: string): string {
  const sameDay = fmt(t, tz, 'yyyy-MM-dd') === fmt(start, tz, 'yyyy-MM-dd');
  return sameDay ? fmt(t, tz, 'HH:mm') : fmt(t, tz, "EEE d MMM', 'HH:mm");
}

type TContent = {
  subject: string;
  preheader: string;
  heading: string;
  intro: string[];
  showDetails: boolean;
  showLink: boolean;
  showPreparation: boolean;
  calendar: 'REQUEST' | 'CANCEL' | undefined;
};

function content(input: TRenderInput, role: string, company: string): TContent {
  const tz = input.candidate.timeZone;
  const shortWhen = `${fmt(input.start, tz, DATE)} at ${fmt(input.start, tz, TIME)} ${label(input.start, tz).split(' ')[0]}`;
  const base = { showDetails: true, showLink: true, showPreparation: true };
  switch (input.kind) {
    case 'invite':
      return {
        ...base,
        subject: `Interview invitation: ${role} at ${company}, ${shortWhen}`,
        preheader: `Your ${role} interview at ${company} is on ${shortWhen}.`,
        heading: 'You are invited to an interview',
        intro: [`${company} invites you to an interview for the ${role} role.`],
        calendar: 'REQUEST',
      };
    case 'update':
      if (input.isFirstNotice) {
        return { ...content({ ...input, kind: 'invite' }, role, company) };
      }
      return {
        ...base,
        subject: `Updated: your ${role} interview at ${company} is now ${shortWhen}`,
        preheader: `Your interview has moved to ${shortWhen}. Use the new link.`,
        heading: 'Your interview has a new time',
        intro: [
          `Your interview with ${company} for the ${role} role has moved to a new time.`,
          'The link in earlier emails no longer works: please use the new link below.',
        ],
        calendar: 'REQUEST',
      };
    case 'cancel':
      if (input.isHumanAlternative) {
        return {
          subject: `Your ${role} interview at ${company}: an interview with a person instead`,
          preheader:
            'As you asked, the AI interview is cancelled. You will be contacted to arrange a new time.',
          heading: 'An interview with a person instead',
          intro: [
            `As you asked, your AI interview with ${company} for the ${role} role on ${shortWhen} is cancelled, and its link no longer works. You will not be evaluated by AI.`,
            `${input.recruiterEmail ? input.recruiterEmail : `The ${company} hiring team`} will contact you to arrange an interview with a person. You can also reply to this email.`,
          ],
          showDetails: false,
          showLink: false,
          showPreparation: false,
          calendar: 'CANCEL',
        };
      }
      return {
        subject: `Cancelled: your ${role} interview at ${company} on ${shortWhen}`,
        preheader: `Your interview on ${shortWhen} has been cancelled.`,
        heading: 'Your interview has been cancelled',
        intro: [
          `Your interview with ${company} for the ${role} role on ${shortWhen} has been cancelled, and its link no longer works.`,
          'If you think this is a mistake, or would like a new time, reply to this email.',
        ],
        showDetails: true,
        showLink: false,
        showPreparation: false,
        calendar: 'CANCEL',
      };
    case 'reminder_24h':
      return {
        ...base,
        subject: `Reminder: your ${role} interview at ${company} is on ${shortWhen}`,
        preheader: `Your interview is in about 24 hours: ${shortWhen}.`,
        heading: 'Your interview is tomorrow',
        intro: [`A reminder: your interview with ${company} for the ${role} role is in about 24 hours.`],
        calendar: undefined,
      };
    case 'reminder_1h':
      return {
        ...base,
        subject: `Reminder: your ${role} interview at ${company} starts in 1 hour (${fmt(input.start, tz, TIME)} ${label(input.start, tz).split(' ')[0]})`,
        preheader: 'Your interview starts in about an hour. Here is your link.',
        heading: 'Your interview starts in 1 hour',
        intro: [`A reminder: your interview with ${company} for the ${role} role starts in about an hour.`],
        calendar: undefined,
      };
  }
}

const PREPARATION = [
  'Use a computer with an up-to-date Chrome, Edge, Firefox or Safari (a phone works too).',
  'Allow the camera and microphone when your browser asks; headphones help.',
  'Find a quiet place with a stable internet connection.',
];

/** How to prepare; the last line says how questions are asked, as this installation can ask them. */
function preparation(offer: TModelOffer | undefined): string[] {
  return [...PREPARATION, interviewFormatText(offer ?? { evaluates: true, speaks: true })];
}

/** Renders one candidate email, ready for the mailer. */
export function renderEmail(input: TRenderInput): TRenderedEmail {
  const tz = input.candidate.timeZone;
  const name = clean(input.candidate.name) || 'there';
  const role = clean(input.roleTitle) || 'open';
  const company = clean(input.companyName) || 'Panelist';
  if (input.kind !== 'cancel' && !input.link) {
    throw new Error(`a ${input.kind} email needs the portal link`);
  }
  const c = content(input, role, company);
  const durationMin = Math.round((input.end.getTime() - input.start.getTime()) / MINUTE_MS);
  const when = formatWhen(input.start, input.end, tz);
  const duration = formatDuration(durationMin);
  const lobbyMin = Math.round((input.start.getTime() - input.window.lobbyOpensAt.getTime()) / MINUTE_MS);
  const zoneShort = label(input.window.closesAt, tz).split(' ')[0];
  const windowLine =
    `The link opens at ${timeNear(input.window.lobbyOpensAt, input.start, tz)} (${lobbyMin} minutes before the start) ` +
    `so you can check your camera and microphone. You can start the interview from ${timeNear(input.window.joinOpensAt, input.start, tz)} ` +
    `until ${timeNear(input.window.closesAt, input.start, tz)} ${zoneShort}. The link is personal: please don't share it.`;
  const recruiter = input.recruiterEmail ?? undefined;
  const helpLine = recruiter
    ? `If the link doesn't work, reply to this email: it goes to ${recruiter}, who will help.`
    : "If the link doesn't work, reply to this email and we'll help.";
  const calendarNote =
    c.calendar === 'REQUEST'
      ? 'A calendar invitation is attached: add it to your calendar so you get a reminder.'
      : c.calendar === 'CANCEL'
        ? 'The attached calendar update removes the interview from your calendar.'
        : '';

  // Plain text.
  const text: string[] = [`Hello ${name},`, '', ...c.intro.flatMap((p) => [p, ''])];
  if (c.showDetails) {
    text.push(`Role:      ${role} at ${company}`, `When:      ${when}`, `Duration:  ${duration}`);
    if (c.showLink) text.push('Where:     online, in your browser (no account or app needed)');
    text.push('');
  }
  if (c.showLink && input.link) {
    text.push('Your interview link:', input.link, '', windowLine, '');
  }
  // The notice comes before the preparation: it is what the candidate must know (issue 14).
  const notice = c.showLink ? input.notice : undefined;
  if (notice) text.push(...noticeTextLines(notice), '');
  if (c.showPreparation) text.push('How to prepare', ...preparation(input.offer).map((p) => `- ${p}`), '');
  if (c.showLink) text.push(helpLine, '');
  if (input.dataLink && !notice)
    text.push(`Your data (download, correct or delete it): ${input.dataLink}`, '');
  if (calendarNote) text.push(calendarNote, '');
  text.push(`— The ${company} hiring team`, '');

  const html = renderHtml({
    prepare: preparation(input.offer),
    c,
    name,
    role,
    company,
    when,
    duration,
    link: c.showLink ? input.link : undefined,
    windowLine,
    helpLine,
    calendarNote,
    notice,
    dataLink: notice ? undefined : input.dataLink,
  });

  const domain = fromAddress(input.from).split('@')[1] ?? 'panelist.local';
  const calendar =
    c.calendar === undefined
      ? undefined
      : {
          method: c.calendar,
          content: buildCalendar({
            method: c.calendar,
            uid: interviewUid(input.interviewId, domain),
            sequence: calendarSequence(input.kind === 'cancel' ? 'cancel' : 'update', input.revision),
            start: input.start,
            end: input.end,
            summary: `Interview: ${role} at ${company}`,
            description:
              c.calendar === 'CANCEL'
                ? 'This interview has been cancelled.'
                : // Kept short: the email itself carries the full instructions.
                  `Your interview link: ${input.link}\nIt opens ${lobbyMin} minutes before the start. Details are in the invitation email.`,
            url: c.showLink ? input.link : undefined,
            organizer: { name: fromName(input.from, company), email: fromAddress(input.from) },
            attendee: { name, email: input.candidate.email },
            stamp: input.now,
          }),
        };

  return {
    from: input.from,
    to: { name: sanitizeHeaderValue(name), address: input.candidate.email },
    ...(recruiter ? { replyTo: recruiter } : {}),
    subject: sanitizeHeaderValue(c.subject),
    text: text.join('\n'),
    html,
    messageId: emailMessageId(input.interviewId, input.kind, input.revision, input.from),
    calendar,
  };
}

type THtmlParts = {
  c: TContent;
  name: string;
  role: string;
  company: string;
  when: string;
  duration: string;
  link: string | undefined;
  windowLine: string;
  helpLine: string;
  calendarNote: string;
  notice: TNotice | undefined;
  dataLink: string | undefined;
  prepare: string[];
};

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const P = `margin:0 0 16px 0;${FONT};font-size:16px;line-height:24px;color:#1f2937`;

/**
 * Table layout with inline styles only: Gmail drops <style> in some views and Outlook renders
 * with Word's engine, which ignores most CSS but honours tables, widths and bgcolor. The content
 * column is 600px wide at most and shrinks to the screen on a phone.
 */
function renderHtml(p: THtmlParts): string {
  const e = escapeHtml;
  // A zone label such as `EDT (UTC-04:00)` must not break at its hyphen on a narrow screen.
  const keepZoneTogether = (html: string) =>
    html.replace(
      /([A-Z]{2,6} )?\(?UTC[+-]\d\d:\d\d\)?/g,
      (m) => `<span style="white-space:nowrap">${m}</span>`,
    );
  const detailRow = (label: string, value: string) =>
    `<tr><td style="padding:4px 12px 4px 0;${FONT};font-size:15px;line-height:22px;color:#6b7280;vertical-align:top;white-space:nowrap">${e(label)}</td>` +
    `<td style="padding:4px 0;${FONT};font-size:15px;line-height:22px;color:#111827;vertical-align:top">${keepZoneTogether(e(value))}</td></tr>`;
  const details = p.c.showDetails
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="margin:0 0 20px 0;background:#f3f4f6;border-radius:8px"><tr><td style="padding:14px 16px">` +
      `<table role="presentation" cellpadding="0" cellspacing="0" border="0">` +
      detailRow('Role', `${p.role} at ${p.company}`) +
      detailRow('When', p.when) +
      detailRow('Duration', p.duration) +
      (p.link ? detailRow('Where', 'Online, in your browser') : '') +
      `</table></td></tr></table>`
    : '';
  const button = p.link
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0"><tr>` +
      `<td align="center" bgcolor="#1d4ed8" style="border-radius:6px">` +
      `<a href="${e(p.link)}" target="_blank" style="display:inline-block;padding:14px 28px;${FONT};font-size:16px;font-weight:bold;line-height:20px;color:#ffffff;text-decoration:none;border-radius:6px">Open your interview</a>` +
      `</td></tr></table>` +
      `<p style="margin:0 0 16px 0;${FONT};font-size:13px;line-height:20px;color:#6b7280">Or paste this link into your browser:<br>` +
      `<a href="${e(p.link)}" style="color:#1d4ed8;word-break:break-all">${e(p.link)}</a></p>` +
      `<p style="${P}">${e(p.windowLine)}</p>`
    : '';
  const prep = p.c.showPreparation
    ? `<h2 style="margin:8px 0 8px 0;${FONT};font-size:18px;line-height:24px;color:#111827">How to prepare</h2>` +
      `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0">` +
      p.prepare
        .map(
          (item) =>
            `<tr><td style="padding:0 8px 8px 0;${FONT};font-size:16px;line-height:24px;color:#1d4ed8;vertical-align:top">&#8226;</td>` +
            `<td style="padding:0 0 8px 0;${FONT};font-size:16px;line-height:24px;color:#1f2937;vertical-align:top">${e(item)}</td></tr>`,
        )
        .join('') +
      `</table>`
    : '';
  const help = p.link ? `<p style="${P}">${e(p.helpLine)}</p>` : '';
  const notice = p.notice ? noticeHtml(p.notice) : '';
  const data = p.dataLink
    ? `<p style="margin:0 0 16px 0;${FONT};font-size:14px;line-height:20px;color:#6b7280">Your data: <a href="${e(p.dataLink)}" style="color:#1d4ed8">download, correct or delete it</a>.</p>`
    : '';
  const cal = p.calendarNote
    ? `<p style="margin:0 0 16px 0;${FONT};font-size:14px;line-height:20px;color:#6b7280">${e(p.calendarNote)}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${e(p.c.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#eef0f3;-webkit-text-size-adjust:100%">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${e(p.c.preheader)}</div>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" bgcolor="#eef0f3" style="background:#eef0f3">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="max-width:600px;width:100%">
<tr><td style="padding:0 0 12px 4px;${FONT};font-size:14px;font-weight:bold;letter-spacing:0.5px;color:#374151">${e(p.company)}</td></tr>
<tr><td bgcolor="#ffffff" style="background:#ffffff;border-radius:10px;padding:28px 24px">
<h1 style="margin:0 0 16px 0;${FONT};font-size:22px;line-height:28px;color:#111827">${e(p.c.heading)}</h1>
<p style="${P}">Hello ${e(p.name)},</p>
${p.c.intro.map((line) => `<p style="${P}">${e(line)}</p>`).join('\n')}
${details}
${button}
${notice}
${prep}
${help}
${data}
${cal}
<p style="margin:8px 0 0 0;${FONT};font-size:16px;line-height:24px;color:#1f2937">— The ${e(p.company)} hiring team</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** The candidate notice as a boxed section; the same items as the text part and the lobby. */
function noticeHtml(n: TNotice): string {
  const e = escapeHtml;
  const small = `${FONT};font-size:15px;line-height:22px;color:#1f2937`;
  const items = n.items
    .map(
      (item) =>
        `<p style="margin:0 0 10px 0;${small}"><strong>${e(item.title)}.</strong> ${e(item.text)}</p>` +
        (item.list && item.list.length > 0
          ? `<ul style="margin:0 0 10px 0;padding-left:22px;${small}">${item.list.map((li) => `<li style="margin:0 0 4px 0">${e(li)}</li>`).join('')}</ul>`
          : '') +
        (item.link
          ? `<p style="margin:0 0 14px 0;${small}"><a href="${e(item.link.url)}" style="color:#1d4ed8;font-weight:bold">${e(item.link.label)}</a></p>`
          : ''),
    )
    .join('');
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="margin:8px 0 20px 0;border:1px solid #d1d5db;border-radius:8px"><tr><td style="padding:16px 16px 6px 16px">` +
    `<h2 style="margin:0 0 10px 0;${FONT};font-size:18px;line-height:24px;color:#111827">${e(n.heading)}</h2>` +
    items +
    `</td></tr></table>`
  );
}
