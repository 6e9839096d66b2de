/**
 * What the email flow says in the recruiter's Slack thread. Pure builders: every value a person
 * typed goes through escapeMrkdwn. The candidate's portal link carries the session key, so it is
 * only ever sent ephemerally to the recruiter, never in a visible message.
 */
import type { KnownBlock } from '@slack/web-api';
import { escapeMrkdwn } from '../../domain/escape.js';
import type { TEmailKind } from '../../infra/queue/jobs/email.js';

export const EMAIL_RETRY_ACTION = 'email_retry';

const LABELS: Record<TEmailKind, string> = {
  invite: 'Invite',
  update: 'Updated invite',
  cancel: 'Cancellation',
  reminder_24h: '24-hour reminder',
  reminder_1h: '1-hour reminder',
};

export function emailLabel(kind: TEmailKind): string {
  return LABELS[kind];
}

/** `<!date^…>` renders in each reader's own zone; the fallback is UTC. */
export function slackDate(d: Date): string {
  const unix = Math.floor(d.getTime() / 1000);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

function who(candidate: { name: string; email: string }): string {
  return `${escapeMrkdwn(candidate.name)} (${escapeMrkdwn(candidate.email)})`;
}

/** The button's value: which email to resend. Never the session key. */
export function retryValue(interviewId: string, kind: TEmailKind, revision: number): string {
  return `${interviewId}|${kind}|${revision}`;
}

export function parseRetryValue(
  value: string,
): { interviewId: string; kind: TEmailKind; revision: number } | null {
  const m = /^([0-9a-f-]{36})\|(invite|update|cancel|reminder_24h|reminder_1h)\|(\d{1,6})$/.exec(value);
  if (!m) return null;
  return { interviewId: m[1]!, kind: m[2] as TEmailKind, revision: Number(m[3]) };
}

export function sentNote(kind: TEmailKind, candidate: { name: string; email: string }, sentAt: Date) {
  const text = `:envelope: ${LABELS[kind]} emailed to ${who(candidate)} at ${slackDate(sentAt)}.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] as KnownBlock[] };
}

function retryButton(value: string): KnownBlock {
  return {
    type: 'actions',
    block_id: 'email_retry',
    elements: [
      {
        type: 'button',
        action_id: EMAIL_RETRY_ACTION,
        text: { type: 'plain_text', text: 'Retry email' },
        value,
      },
    ],
  };
}

/** Final failure: what failed, what to do, and the Retry button. */
export function failureWarning(input: {
  kind: TEmailKind;
  candidate: { name: string; email: string };
  description: string;
  retryValue: string;
  hasLink: boolean;
}) {
  const text =
    `:warning: The ${LABELS[input.kind].toLowerCase()} for ${who(input.candidate)} could not be emailed. ` +
    `${escapeMrkdwn(input.description)}.`;
  const next = input.hasLink
    ? 'You can share the interview link yourself (it was sent only to you, just below), or fix the problem and press *Retry email*.'
    : 'Fix the problem and press *Retry email*, or tell the candidate yourself.';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: next }] },
      retryButton(input.retryValue),
    ] as KnownBlock[],
  };
}

/** A worker stopped mid-send: the server may or may not have the message. */
export function unconfirmedWarning(input: {
  kind: TEmailKind;
  candidate: { name: string; email: string };
  retryValue: string;
}) {
  const text =
    `:grey_question: The ${LABELS[input.kind].toLowerCase()} for ${who(input.candidate)} was probably emailed, ` +
    'but Panelist stopped while sending it, so the mail server never confirmed it. ' +
    'It is not resent automatically, to avoid a duplicate.';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'If the candidate says it did not arrive, press *Retry email*.' }],
      },
      retryButton(input.retryValue),
    ] as KnownBlock[],
  };
}

/** Ephemeral, to the recruiter only: the link for manual sharing. */
export function linkForRecruiter(candidateName: string, link: string): string {
  return `The interview link for ${escapeMrkdwn(candidateName)}, to share yourself if needed (only you can see this; it is personal to the candidate): ${link}`;
}
