/** App Home: what is coming up, the roles, and the ways to act. */
import type { KnownBlock, View } from '@slack/types';
import { escapeMrkdwn, truncate } from '../domain/escape.js';
import { plain } from './common.js';
import { STATUS_LABELS, slackDate } from './format.js';
import { ROLE } from './role-modal.js';

export const HOME = {
  schedule: 'home_schedule',
  slots: 'home_slots',
  newRole: 'role_new',
  /** Shows a list (the button's value: upcoming | decision) by publishing the view again. */
  list: 'home_list',
} as const;

export type THomeListName = 'upcoming' | 'decision';

const LISTS: Record<THomeListName, { button: string; empty: string }> = {
  upcoming: { button: 'Upcoming', empty: 'Nothing scheduled yet.' },
  decision: {
    button: 'Awaiting a decision',
    empty: 'No ended interview is waiting for a decision: each has been advanced or declined.',
  },
};

/** `<url|text>`; Slack links may not contain `|` or `>` (ours never do: permalinks and signed links). */
const link = (url: string, text: string) => `<${url.replace(/[|>]/g, encodeURIComponent)}|${text}>`;

export function buildHome(input: {
  list: THomeListName;
  interviews: Array<{
    id: string;
    candidateName: string;
    roleTitle: string;
    start: Date;
    status: string;
    /** The interview's thread (Slack permalink of the scheduling message). */
    threadUrl: string | null;
    transcriptUrl: string | null;
  }>;
  roles: Array<{ id: string; title: string; competencyCount: number }>;
  openSlots: number;
}): View {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Panelist: AI interviews', 150) },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        { type: 'button', action_id: HOME.schedule, style: 'primary', text: plain('Schedule an interview') },
        { type: 'button', action_id: HOME.slots, text: plain('Interview slots') },
        { type: 'button', action_id: HOME.newRole, text: plain('New role') },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${input.openSlots} open slot${input.openSlots === 1 ? '' : 's'} with seats left.`,
        },
      ],
    },
    { type: 'divider' },
    { type: 'header', text: plain('Interviews', 150) },
    {
      type: 'actions',
      block_id: 'home_lists',
      elements: (Object.keys(LISTS) as THomeListName[]).map((name) => ({
        type: 'button' as const,
        action_id: `${HOME.list}_${name}`,
        value: name,
        text: plain(LISTS[name].button),
        ...(name === input.list ? { style: 'primary' as const } : {}),
      })),
    },
  ];
  if (input.interviews.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: LISTS[input.list].empty }] });
  }
  for (const i of input.interviews.slice(0, 30)) {
    const links = [
      i.threadUrl ? link(i.threadUrl, 'Thread') : null,
      i.transcriptUrl ? link(i.transcriptUrl, 'Transcript') : null,
    ].filter((l) => l !== null);
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(truncate(i.candidateName, 100))}* · ${escapeMrkdwn(truncate(i.roleTitle, 100))}\n${slackDate(i.start)} · ${STATUS_LABELS[i.status] ?? i.status}${links.length > 0 ? `\n${links.join(' · ')}` : ''}`,
      },
    });
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: plain('Roles', 150) });
  if (input.roles.length === 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'No roles yet: create one with "New role".' }],
    });
  }
  for (const r of input.roles.slice(0, 50)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(truncate(r.title, 150))}*\n${r.competencyCount} competenc${r.competencyCount === 1 ? 'y' : 'ies'}`,
      },
      accessory: { type: 'button', action_id: ROLE.edit, value: r.id, text: plain('Edit') },
    });
  }
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
