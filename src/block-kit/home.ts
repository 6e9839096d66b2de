/** App Home: what is coming up, the roles, and the ways to act. */
import type { KnownBlock, View } from '@slack/types';
import { escapeMrkdwn, truncate } from '../domain/escape.js';
import { plain } from './common.js';
import { STATUS_LABELS, slackDate } from './format.js';
import { ROLE } from './role-modal.js';

export const HOME = { schedule: 'home_schedule', slots: 'home_slots', newRole: 'role_new' } as const;

export function buildHome(input: {
  interviews: Array<{ id: string; candidateName: string; roleTitle: string; start: Date; status: string }>;
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
    { type: 'header', text: plain('Upcoming and recent interviews', 150) },
  ];
  if (input.interviews.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing scheduled yet.' }] });
  }
  for (const i of input.interviews.slice(0, 30)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(truncate(i.candidateName, 100))}* · ${escapeMrkdwn(truncate(i.roleTitle, 100))}\n${slackDate(i.start)} · ${STATUS_LABELS[i.status] ?? i.status}`,
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
