/** /interview-slots: upcoming slots with seats left (each closable) and a form to add more. */
import type { KnownBlock, View } from '@slack/types';
import { formatInZone, localDateIn, zoneLabel } from '../domain/time.js';
import { metadata, option, plain, timeZoneOption } from './common.js';

export const SLOTS = {
  callbackId: 'manage_slots',
  date: 'slot_date',
  time: 'slot_time',
  duration: 'slot_duration',
  capacity: 'slot_capacity',
  tz: 'slot_tz',
  repeat: 'slot_repeat',
  close: 'slot_close',
} as const;

export const DURATIONS = [15, 20, 30, 45, 60, 90] as const;
/** How many slots the list shows; a modal holds 100 blocks and the form takes 8. */
export const LISTED_SLOTS = 40;

export type TListedSlot = {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  capacity: number;
  seatsTaken: number;
};

/**
 * The form's default start: the next quarter hour on the recruiter's wall clock, strictly after
 * `now` (every zone's offset is a multiple of 15 minutes, so minute steps find it).
 */
export function nextQuarterHour(now: Date, tz: string): { date: string; time: string } {
  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  for (let k = 1; k <= 15; k++) {
    const at = new Date(minute + k * 60_000);
    const time = formatInZone(at, tz, 'time');
    if (Number(time.slice(3)) % 15 === 0) return { date: localDateIn(at, tz), time };
  }
  return { date: localDateIn(now, tz), time: formatInZone(now, tz, 'time') };
}

const repeatLabel = (n: number) =>
  n === 2 ? 'This day and the next weekday' : `This day and the next ${n - 1} weekdays`;

export function buildSlotsModal(input: {
  tz: string;
  now: Date;
  slots: TListedSlot[];
  notice?: string | undefined;
}): View {
  const { tz, now } = input;
  const start = nextQuarterHour(now, tz);
  const blocks: KnownBlock[] = [];
  if (input.notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: input.notice } });
  blocks.push({ type: 'header', text: plain('Upcoming slots', 150) });
  if (input.slots.length === 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'No upcoming slots yet. Add some below.' }],
    });
  }
  for (const s of input.slots.slice(0, LISTED_SLOTS)) {
    const left = s.capacity - s.seatsTaken;
    blocks.push({
      type: 'section',
      block_id: `slot_${s.id}`,
      text: {
        type: 'mrkdwn',
        text: `*${formatInZone(s.startsAt, tz, 'datetime')}* ${zoneLabel(s.startsAt, tz)} · ${s.durationMinutes} min\n${left} of ${s.capacity} seat${s.capacity === 1 ? '' : 's'} left`,
      },
      accessory: {
        type: 'button',
        action_id: SLOTS.close,
        value: s.id,
        text: plain('Close slot'),
        confirm: {
          title: plain('Close this slot?', 100),
          text: {
            type: 'plain_text',
            text: 'No one else can book it. Interviews already booked in it stay booked.',
          },
          confirm: plain('Close slot', 30),
          deny: plain('Keep it', 30),
        },
      },
    });
  }
  if (input.slots.length > LISTED_SLOTS) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Showing the first ${LISTED_SLOTS} of ${input.slots.length}.` }],
    });
  }
  blocks.push(
    { type: 'divider' },
    { type: 'header', text: plain('Add availability', 150) },
    {
      type: 'input',
      block_id: SLOTS.date,
      label: plain('Date', 2000),
      element: { type: 'datepicker', action_id: SLOTS.date, initial_date: start.date },
    },
    {
      type: 'input',
      block_id: SLOTS.time,
      label: plain('Start time', 2000),
      hint: plain(`In the time zone below (${tz} unless you change it).`, 2000),
      element: { type: 'timepicker', action_id: SLOTS.time, initial_time: start.time },
    },
    {
      type: 'input',
      block_id: SLOTS.duration,
      label: plain('Duration', 2000),
      element: {
        type: 'static_select',
        action_id: SLOTS.duration,
        initial_option: option('30 minutes', '30'),
        options: DURATIONS.map((d) => option(`${d} minutes`, String(d))),
      },
    },
    {
      type: 'input',
      block_id: SLOTS.capacity,
      label: plain('Candidates per slot', 2000),
      hint: plain(
        'How many candidates can take the interview in this slot (it is run by the AI, so more than one is fine).',
        2000,
      ),
      element: {
        type: 'number_input',
        action_id: SLOTS.capacity,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: '200',
        initial_value: '1',
      },
    },
    {
      type: 'input',
      block_id: SLOTS.tz,
      label: plain('Time zone', 2000),
      element: {
        type: 'external_select',
        action_id: SLOTS.tz,
        min_query_length: 0,
        initial_option: timeZoneOption(tz, now),
      },
    },
    {
      type: 'input',
      block_id: SLOTS.repeat,
      label: plain('Repeat', 2000),
      element: {
        type: 'static_select',
        action_id: SLOTS.repeat,
        initial_option: option('Just this day', '1'),
        options: [
          option('Just this day', '1'),
          ...[2, 3, 5, 10, 15, 20].map((n) => option(repeatLabel(n), String(n))),
        ],
      },
    },
  );
  return {
    type: 'modal',
    callback_id: SLOTS.callbackId,
    private_metadata: metadata({ tz }),
    title: plain('Interview slots', 24),
    submit: plain('Add slots', 24),
    close: plain('Close', 24),
    blocks,
  };
}
