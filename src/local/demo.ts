/**
 * "Try a demo interview": one click in the stand-in books a demo candidate into a slot that
 * starts now, so a newcomer reaches a finished interview without reading any code.
 *
 * It sets up what a recruiter would have set up (a role with competencies, a slot starting at
 * the next minute, in the recruiter's zone), then does what the recruiter does: runs
 * /schedule-interview and submits the form, as the signed requests Slack would send. The
 * booking, the confirmation in the channel, the link in the DM and the email all come from the
 * real app, so the demo shows the product and not a shortcut around it.
 */

import type { SlackApiEmulator } from '../../tools/slack-emulator/emulator.js';
import {
  interactionBody,
  type SlackRequestResult,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import type { ViewInput } from '../../tools/slack-emulator/view-state.js';
import { findActiveRoleByTitle, saveRole } from '../services/booking/roles.js';
import { addSlots, latestOpenSlotAddedBy } from '../services/booking/slots.js';
import type { TServiceDeps } from '../services/deps.js';

export const DEMO_ROLE = {
  title: 'Demo: Customer Support Engineer',
  description: 'A short demo role: two questions about solving customer problems.',
  competencies:
    'Troubleshooting: finds the cause of a problem step by step\nCommunication: explains clearly to someone who is not an expert',
  questions:
    'Tell me about a customer problem you solved and how you found its cause.\nHow would you explain a technical delay to an upset customer?',
  questionCount: 2,
} as const;

export const DEMO_CANDIDATE = { name: 'Demo Candidate', email: 'demo.candidate@example.com' } as const;

export type TDemoResult = {
  candidateName: string;
  roleTitle: string;
  startsAt: Date;
  timeZone: string;
  /** The candidate's link, from the DM Panelist sent the recruiter. */
  link: string;
};

const LINK = /https?:\/\/[^\s<>|`]+\/interview\?session_key=[A-Za-z0-9_%-]+/;

async function until<T>(what: string, timeoutMs: number, fn: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`The demo stopped: ${what} did not happen within ${timeoutMs / 1000} s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDemo(opts: {
  deps: Pick<TServiceDeps, 'prisma' | 'now'>;
  emulator: SlackApiEmulator;
  send: (body: string) => Promise<SlackRequestResult>;
  userId: string;
  channelId: string;
}): Promise<TDemoResult> {
  const { deps, emulator, userId, channelId } = opts;
  const tz = emulator.users.get(userId)?.tz ?? 'UTC';

  const role =
    (await findActiveRoleByTitle(deps, DEMO_ROLE.title)) ?? (await saveRole(DEMO_ROLE, userId, deps));

  // The next whole minute: a slot must start in the future, and the room opens before the start.
  const startsAt = new Date(Math.ceil((deps.now().getTime() + 20_000) / 60_000) * 60_000);
  await addSlots(
    { startsAt: [startsAt], durationMinutes: 30, capacity: 1, timeZone: tz, createdBy: userId },
    deps,
  );
  const slot = await latestOpenSlotAddedBy(deps, userId, startsAt);
  if (!slot) throw new Error('The demo stopped: the slot it added is not there.');

  const channel = emulator.channels.get(channelId);
  const before = emulator.messages.length;
  const command = await opts.send(
    slashCommandBody({
      command: '/schedule-interview',
      text: DEMO_CANDIDATE.email,
      userId,
      channelId,
      channelName: channel?.isIm ? 'directmessage' : (channel?.name ?? channelId),
      triggerId: emulator.issueTriggerId(userId),
    }),
  );
  if (command.status !== 200)
    throw new Error(`The demo stopped: /schedule-interview answered HTTP ${command.status}.`);
  const modal = await until('the scheduling form opening', 5000, () => {
    const view = emulator.openModal(userId);
    return view?.callback_id === 'schedule_interview' && view.submit ? view : undefined;
  });

  const values: Record<string, Record<string, ViewInput>> = {
    candidate_name: { candidate_name: DEMO_CANDIDATE.name },
    candidate_email: { candidate_email: DEMO_CANDIDATE.email },
    candidate_tz: { candidate_tz: { text: tz, value: tz } },
    role: { role: { text: role.title, value: role.id } },
    slot: { slot: slot.id },
  };
  const view = emulator.submitViewState(modal.id, values);
  const submitted = await opts.send(
    interactionBody(
      viewSubmissionPayload({ user: userId, view, triggerId: emulator.issueTriggerId(userId) }),
    ),
  );
  if (submitted.status !== 200)
    throw new Error(`The demo stopped: the scheduling form answered HTTP ${submitted.status}.`);
  const applied = emulator.applyViewSubmissionResponse(modal.id, submitted.json ?? submitted.body.trim());
  if (applied.action === 'errors')
    throw new Error(`The demo stopped: the form said ${Object.values(applied.errors ?? {}).join(' ')}`);
  // The "booking…" note the form turns into: the demo says the same thing its own way.
  if (emulator.openModal(userId)?.id === modal.id) emulator.closeView(modal.id);

  const dm = emulator.dmChannelFor(userId).id;
  const link = await until('the candidate link arriving in your DM', 20_000, () => {
    for (const m of emulator.messages.slice(before)) {
      if (m.channel !== dm) continue;
      const found = LINK.exec(`${m.text}\n${JSON.stringify(m.blocks ?? [])}`);
      if (found) return found[0];
    }
    return undefined;
  });
  return { candidateName: DEMO_CANDIDATE.name, roleTitle: role.title, startsAt, timeZone: tz, link };
}
