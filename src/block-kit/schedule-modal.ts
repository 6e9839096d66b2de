/** The /schedule-interview modal and the reschedule modal. */
import type { KnownBlock, PlainTextOption, View } from '@slack/types';
import { escapeMrkdwn } from '../domain/escape.js';
import { metadata, plain, slotOption, type TSlotOptionInput } from './common.js';

export const SCHEDULE = {
  callbackId: 'schedule_interview',
  reschedCallbackId: 'reschedule_interview',
  name: 'candidate_name',
  email: 'candidate_email',
  tz: 'candidate_tz',
  role: 'role',
  slot: 'slot',
  notes: 'notes',
  newRole: 'role_new',
  addSlots: 'slots_open',
} as const;

/** Static selects hold at most 100 options; past that the picker searches (external_select). */
export const STATIC_SELECT_MAX = 100;

export type TScheduleModalInput = {
  recruiterTz: string;
  channelId: string;
  email?: string | undefined;
  /** `email` is what the recruiter typed after the command and is not an address. */
  isEmailInvalid?: boolean;
  slots: TSlotOptionInput[];
  totalSlots: number;
  hasRoles: boolean;
  now: Date;
  /** A role just created from this form ("New role"): shown selected. */
  role?: { id: string; title: string } | undefined;
};

/**
 * The role picker's block id. Slack keeps what a user picked across views.update while a block's
 * id stays the same, so a role created from the form goes into a block with a new id, or its
 * initial option would lose to the (empty) earlier pick.
 */
export function roleBlockId(role?: { id: string }): string {
  return role ? `${SCHEDULE.role}.${role.id}` : SCHEDULE.role;
}

/** The role picker's block in a submitted view's state (see roleBlockId). */
export function findRoleBlockId(values: Record<string, unknown>): string {
  return Object.keys(values).find((k) => k.startsWith(`${SCHEDULE.role}.`)) ?? SCHEDULE.role;
}

/**
 * Formatting a slot in a zone is the costly part of the modal. Modals opened
 * together share one list of slots (bot/modals.ts), so its options are
 * formatted once per list and zone.
 */
const optionsByList = new WeakMap<TSlotOptionInput[], Map<string, PlainTextOption[]>>();

function slotOptions(slots: TSlotOptionInput[], tz: string): PlainTextOption[] {
  let byZone = optionsByList.get(slots);
  if (!byZone) {
    byZone = new Map();
    optionsByList.set(slots, byZone);
  }
  let options = byZone.get(tz);
  if (!options) {
    options = slots.map((s) => slotOption(s, tz));
    byZone.set(tz, options);
  }
  return options;
}

function slotPicker(slots: TSlotOptionInput[], totalSlots: number, tz: string, label: string): KnownBlock {
  const element =
    totalSlots > STATIC_SELECT_MAX
      ? {
          type: 'external_select' as const,
          action_id: SCHEDULE.slot,
          min_query_length: 0,
          placeholder: plain('Search by day, e.g. "Mon" or "12 Mar"'),
        }
      : {
          type: 'static_select' as const,
          action_id: SCHEDULE.slot,
          placeholder: plain('Pick an open slot'),
          options: slotOptions(slots, tz),
        };
  return {
    type: 'input',
    block_id: SCHEDULE.slot,
    label: plain(label, 2000),
    hint: plain(`Open slots with seats left, in your time zone (${tz}).`, 2000),
    element,
  };
}

export function buildScheduleModal(input: TScheduleModalInput): View {
  const meta = metadata({ channelId: input.channelId, tz: input.recruiterTz });
  if (input.totalSlots === 0) {
    return {
      type: 'modal',
      callback_id: SCHEDULE.callbackId,
      private_metadata: meta,
      title: plain('Schedule interview', 24),
      close: plain('Close', 24),
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*There are no open interview slots.* Add availability first, then schedule the candidate.',
          },
          accessory: {
            type: 'button',
            action_id: SCHEDULE.addSlots,
            text: plain('Add slots'),
            style: 'primary',
          },
        },
      ],
    };
  }
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: SCHEDULE.name,
      label: plain('Candidate name', 2000),
      element: { type: 'plain_text_input', action_id: SCHEDULE.name, max_length: 120 },
    },
    ...(input.isEmailInvalid && input.email
      ? [
          {
            type: 'context' as const,
            elements: [
              {
                type: 'mrkdwn' as const,
                text: `:warning: “${escapeMrkdwn(input.email.slice(0, 200))}” is not an email address. Correct it below.`,
              },
            ],
          },
        ]
      : []),
    {
      type: 'input',
      block_id: SCHEDULE.email,
      label: plain('Candidate email', 2000),
      element: {
        type: 'email_text_input',
        action_id: SCHEDULE.email,
        ...(input.email ? { initial_value: input.email } : {}),
        placeholder: plain('name@example.com'),
      },
    },
    {
      type: 'input',
      block_id: SCHEDULE.tz,
      label: plain("Candidate's time zone", 2000),
      // No default: the recruiter's own zone silently used for a candidate elsewhere is the
      // mistake this field exists to avoid; a forgotten field is asked for on submit.
      hint: plain(
        `Their invite shows times in this zone. Type a city to search (yours is ${input.recruiterTz}).`,
        2000,
      ),
      element: {
        type: 'external_select',
        action_id: SCHEDULE.tz,
        min_query_length: 0,
        placeholder: plain('Search, e.g. Kolkata'),
      },
    },
    {
      type: 'input',
      block_id: roleBlockId(input.role),
      label: plain('Role', 2000),
      hint: plain(
        input.role
          ? `"${input.role.title.slice(0, 150)}" was created and is picked. The interview questions come from the role.`
          : input.hasRoles
            ? 'The interview questions come from the role. Missing one? Create it with "New role".'
            : 'No roles yet: create one with "New role", then pick it here.',
        2000,
      ),
      element: {
        type: 'external_select',
        action_id: SCHEDULE.role,
        min_query_length: 0,
        placeholder: plain('Pick a role'),
        ...(input.role
          ? { initial_option: { text: plain(input.role.title, 75), value: input.role.id } }
          : {}),
      },
    },
    {
      type: 'actions',
      block_id: 'role_actions',
      elements: [{ type: 'button', action_id: SCHEDULE.newRole, text: plain('New role') }],
    },
    slotPicker(input.slots, input.totalSlots, input.recruiterTz, 'Interview slot'),
    {
      type: 'input',
      block_id: SCHEDULE.notes,
      optional: true,
      label: plain('Notes for the hiring team', 2000),
      element: { type: 'plain_text_input', action_id: SCHEDULE.notes, multiline: true, max_length: 3000 },
    },
  ];
  return {
    type: 'modal',
    callback_id: SCHEDULE.callbackId,
    private_metadata: meta,
    title: plain('Schedule interview', 24),
    submit: plain('Schedule', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

export function buildRescheduleModal(input: {
  interviewId: string;
  fromRevision: number;
  candidateName: string;
  recruiterTz: string;
  slots: TSlotOptionInput[];
  totalSlots: number;
}): View {
  const meta = metadata({
    interviewId: input.interviewId,
    fromRevision: input.fromRevision,
    tz: input.recruiterTz,
  });
  const intro: KnownBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `Move *${escapeMrkdwn(input.candidateName)}* to another slot. They get an updated invite with a new link; the old link stops working.`,
    },
  };
  if (input.totalSlots === 0) {
    return {
      type: 'modal',
      callback_id: SCHEDULE.reschedCallbackId,
      private_metadata: meta,
      title: plain('Reschedule', 24),
      close: plain('Close', 24),
      blocks: [
        intro,
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*No other open slots.* Add some with `/interview-slots`.' },
        },
      ],
    };
  }
  return {
    type: 'modal',
    callback_id: SCHEDULE.reschedCallbackId,
    private_metadata: meta,
    title: plain('Reschedule', 24),
    submit: plain('Reschedule', 24),
    close: plain('Cancel', 24),
    blocks: [intro, slotPicker(input.slots, input.totalSlots, input.recruiterTz, 'New slot')],
  };
}

/** Shown after a submission is accepted, while the booking job runs. */
export function buildSchedulingAcceptedView(candidateName: string, channelId: string): View {
  const where = channelId.startsWith('D') ? 'your DM with Panelist' : `<#${channelId}>`;
  return {
    type: 'modal',
    title: plain('Schedule interview', 24),
    close: plain('Done', 24),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:hourglass_flowing_sand: Booking *${escapeMrkdwn(candidateName)}*… The confirmation appears in ${where} in a few seconds, and the candidate's link in your DM.`,
        },
      },
    ],
  };
}
