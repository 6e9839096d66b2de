/** Opening the bot's modals: shared by commands, App Home buttons and message buttons. */
import type { ViewsOpenArguments, WebClient } from '@slack/web-api';
import { buildScheduleModal } from '../block-kit/schedule-modal.js';
import { buildSlotsModal } from '../block-kit/slots-modal.js';
import { countActiveRoles } from '../services/booking/roles.js';
import { listOpenSlots, upcomingSlots } from '../services/booking/slots.js';
import type { TBotDeps } from './deps.js';
import type { PendingAcks } from './pending-acks.js';
import { recruiterProfile } from './recruiter.js';

/**
 * Commands that arrive together (a team opening the form at the same moment)
 * share one read of the open slots and the role count: a caller joining a read
 * already in flight sees the data as of a few milliseconds before its request,
 * which the submission checks again anyway. Keyed by database client, so
 * separate stacks (tests) never share.
 */
const schedulingReads = new WeakMap<object, Promise<TSchedulingData>>();
type TSchedulingData = { open: Awaited<ReturnType<typeof listOpenSlots>>; roleCount: number };

function readSchedulingData(deps: TBotDeps, now: Date): Promise<TSchedulingData> {
  const inFlight = schedulingReads.get(deps.prisma);
  if (inFlight) return inFlight;
  const read = Promise.all([listOpenSlots(deps.prisma, now, { limit: 100 }), countActiveRoles(deps)])
    .then(([open, roleCount]) => ({ open, roleCount }))
    .finally(() => schedulingReads.delete(deps.prisma));
  schedulingReads.set(deps.prisma, read);
  return read;
}

type TView = ViewsOpenArguments['view'];

/**
 * views.open with the view already JSON-encoded, which is how Slack's API takes it
 * (the bytes on the wire are the same). Given an object, @slack/web-api 8 first
 * copies it for a debug line it builds even when debug logging is off.
 */
export async function openView(client: WebClient, triggerId: string, view: TView): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: JSON.stringify(view) as unknown as TView });
}

export async function openScheduleModal(
  client: WebClient,
  deps: TBotDeps,
  acks: PendingAcks,
  p: {
    triggerId: string;
    userId: string;
    channelId: string;
    email?: string | undefined;
    isEmailInvalid?: boolean;
  },
): Promise<void> {
  const now = deps.now();
  const [profile, data] = await Promise.all([
    recruiterProfile(client, p.userId),
    readSchedulingData(deps, now),
  ]);
  // Concurrent callers resume together when the shared read lands; build and send one per turn.
  await acks.takeTurnAfterAcks();
  await openView(
    client,
    p.triggerId,
    buildScheduleModal({
      recruiterTz: profile.tz,
      channelId: p.channelId,
      email: p.email,
      isEmailInvalid: p.isEmailInvalid ?? false,
      slots: data.open.slots,
      totalSlots: data.open.total,
      hasRoles: data.roleCount > 0,
      now,
    }),
  );
}

/**
 * The schedule form again, after "New role" saved a role from it: views.update of the form (Slack
 * keeps what the recruiter typed in blocks whose ids stay), with the new role picked and fresh slots.
 */
export async function showRoleInScheduleModal(
  client: WebClient,
  deps: TBotDeps,
  p: { viewId: string; userId: string; channelId: string; role: { id: string; title: string } },
): Promise<void> {
  const now = deps.now();
  const [profile, data] = await Promise.all([
    recruiterProfile(client, p.userId),
    readSchedulingData(deps, now),
  ]);
  await client.views.update({
    view_id: p.viewId,
    view: buildScheduleModal({
      recruiterTz: profile.tz,
      channelId: p.channelId,
      slots: data.open.slots,
      totalSlots: data.open.total,
      hasRoles: true,
      now,
      role: p.role,
    }),
  });
}

export async function slotsModal(client: WebClient, deps: TBotDeps, userId: string, notice?: string) {
  const [profile, slots] = await Promise.all([recruiterProfile(client, userId), upcomingSlots(deps, 41)]);
  return buildSlotsModal({ tz: profile.tz, now: deps.now(), slots, notice });
}
