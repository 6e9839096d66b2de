/**
 * The scheduling message (the root of the interview's thread) and the private
 * notes around it. Pure builders: data in, { text, blocks } out.
 */
import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn } from '../domain/escape.js';
import { formatInZone, zoneLabel } from '../domain/time.js';
import { STATUS_LABELS, slackDate, userText } from './format.js';

export type TInterviewSummary = {
  interviewId: string;
  candidateName: string;
  roleTitle: string;
  start: Date;
  durationMinutes: number;
  candidateTimeZone: string;
  recruiterUserId: string;
  notes: string;
  status: string;
  revision: number;
  /** How it ended, when before every planned question was answered ("ended early after 1 of 3 questions"). */
  ended?: string | undefined;
  /** An extra line under the status (e.g. "Invite emailed at …"). */
  statusNote?: string | undefined;
};

export const ACTION_IDS = {
  reschedule: 'interview_reschedule',
  cancel: 'interview_cancel',
} as const;

/** Said in the Cancel and Reschedule dialogs; the server checks it (services/booking/may-manage.ts). */
const WHO_MAY = (recruiter: string) =>
  `Only <@${escapeMrkdwn(recruiter)}> (who scheduled it) and Panelist admins can do this.`;

function statusText(s: TInterviewSummary): string {
  const label = STATUS_LABELS[s.status] ?? s.status;
  if (!s.ended) return label;
  // "Interview completed" would read as if every question was answered.
  if (s.status === 'completed') return `:checkered_flag: Interview ${s.ended}`;
  return `${label}\nInterview ${s.ended}`;
}

export function buildBookingConfirmation(s: TInterviewSummary): { text: string; blocks: KnownBlock[] } {
  const when = slackDate(s.start);
  const candidateLocal = `${formatInZone(s.start, s.candidateTimeZone, 'datetime')} ${zoneLabel(s.start, s.candidateTimeZone)}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*AI interview: ${userText(s.candidateName, 120)}* for *${userText(s.roleTitle, 120)}*`,
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*When*\n${when} (${s.durationMinutes} min)` },
        { type: 'mrkdwn', text: `*Candidate's time*\n${userText(candidateLocal, 120)}` },
        { type: 'mrkdwn', text: `*Status*\n${statusText(s)}` },
        { type: 'mrkdwn', text: `*Scheduled by*\n<@${s.recruiterUserId}>` },
      ],
    },
  ];
  if (s.notes.trim()) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Notes*\n${userText(s.notes, 1500)}` } });
  }
  const context = [`Updates about this interview are posted in this thread.`];
  if (s.revision > 1) context.unshift(`Rescheduled (version ${s.revision}).`);
  if (s.statusNote) context.unshift(userText(s.statusNote, 500));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' ') }] });
  if (s.status === 'scheduled') {
    blocks.push({
      type: 'actions',
      block_id: 'interview_actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.reschedule,
          text: { type: 'plain_text', text: 'Reschedule' },
          value: s.interviewId,
          confirm: {
            title: { type: 'plain_text', text: 'Reschedule this interview?' },
            text: {
              type: 'mrkdwn',
              text: `You pick a new slot next; ${userText(s.candidateName, 120)} gets an updated invite with a new link. ${WHO_MAY(s.recruiterUserId)}`,
            },
            confirm: { type: 'plain_text', text: 'Pick a new slot' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
        {
          type: 'button',
          action_id: ACTION_IDS.cancel,
          style: 'danger',
          text: { type: 'plain_text', text: 'Cancel interview' },
          value: s.interviewId,
          confirm: {
            title: { type: 'plain_text', text: 'Cancel this interview?' },
            text: {
              type: 'mrkdwn',
              text: `${userText(s.candidateName, 120)} will get a cancellation email and the link will stop working. The seat is freed. ${WHO_MAY(s.recruiterUserId)}`,
            },
            confirm: { type: 'plain_text', text: 'Cancel interview' },
            deny: { type: 'plain_text', text: 'Keep it' },
            style: 'danger',
          },
        },
      ],
    });
  }
  // The fallback text is mrkdwn too (notifications, screen readers): escaped like the blocks,
  // or a name such as `<!channel>` would ping everyone (fault suite, abuse case 9).
  const status = statusText(s)
    .replace(/^:[a-z_]+: /, '')
    .replace('\n', ', ');
  const text = `AI interview: ${userText(s.candidateName, 120)} for ${userText(s.roleTitle, 120)}, ${formatInZone(s.start, 'UTC', 'datetime')} UTC (${status})`;
  return { text, blocks };
}

/** The candidate's link, sent only to the recruiter: it lets anyone take the interview. */
export function buildPrivateLinkMessage(p: {
  candidateName: string;
  candidateEmail: string;
  link: string;
  isReschedule: boolean;
}): { text: string; blocks: KnownBlock[] } {
  const lead = p.isReschedule
    ? `New interview link for *${userText(p.candidateName, 120)}* (the old link no longer works):`
    : `Interview link for *${userText(p.candidateName, 120)}* (${userText(p.candidateEmail, 254)}):`;
  return {
    text: `Interview link for ${userText(p.candidateName, 120)}: ${p.link}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${lead}\n\`\`\`${p.link}\`\`\`` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Only you can see this. The invite is emailed to the candidate; share this link by hand if it does not arrive. Anyone with the link can take the interview.',
          },
        ],
      },
    ],
  };
}

export function buildSlotUnavailableMessage(p: {
  candidateName: string;
  reason: 'full' | 'past' | 'closed' | 'gone';
  openSlots: Array<{ startsAt: Date; seatsLeft: number; durationMinutes: number }>;
  totalOpen: number;
}): { text: string; blocks: KnownBlock[] } {
  const why = {
    full: 'the slot filled up before the booking went through',
    past: 'the slot had already started',
    closed: 'the slot was closed',
    gone: 'the slot no longer exists',
  }[p.reason];
  const list = p.openSlots
    .slice(0, 10)
    .map(
      (s) =>
        `• ${slackDate(s.startsAt)} (${s.durationMinutes} min), ${s.seatsLeft} seat${s.seatsLeft === 1 ? '' : 's'} left`,
    )
    .join('\n');
  const more = p.totalOpen > 10 ? `\n…and ${p.totalOpen - 10} more.` : '';
  return {
    text: `Could not book ${userText(p.candidateName, 120)}: ${why}.`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:warning: *${userText(p.candidateName, 120)} was not booked*: ${why}. Run \`/schedule-interview\` again to pick another slot.`,
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            p.openSlots.length > 0
              ? `*Slots still open*\n${list}${more}`
              : '*No open slots left.* Add some with `/interview-slots`.',
        },
      },
    ],
  };
}
