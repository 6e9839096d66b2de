/** Opening the bot's modals: shared by commands, App Home buttons and message buttons. */
import type { WebClient } from '@slack/web-api';
import { listOpenSlots, upcomingSlots } from '../services/booking/slots.js';
import { buildScheduleModal } from './blocks/schedule-modal.js';
import { buildSlotsModal } from './blocks/slots-modal.js';
import type { TBotDeps } from './deps.js';
import { recruiterProfile } from './recruiter.js';

export async function openScheduleModal(
  client: WebClient,
  deps: TBotDeps,
  p: { triggerId: string; userId: string; channelId: string; email?: string | undefined },
): Promise<void> {
  const now = deps.now();
  const [profile, open, roleCount] = await Promise.all([
    recruiterProfile(client, p.userId),
    listOpenSlots(deps.prisma, now, { limit: 100 }),
    deps.prisma.role.count({ where: { archivedAt: null } }),
  ]);
  await client.views.open({
    trigger_id: p.triggerId,
    view: buildScheduleModal({
      recruiterTz: profile.tz,
      channelId: p.channelId,
      email: p.email,
      slots: open.slots,
      totalSlots: open.total,
      hasRoles: roleCount > 0,
      now,
    }),
  });
}

export async function slotsModal(client: WebClient, deps: TBotDeps, userId: string, notice?: string) {
  const [profile, slots] = await Promise.all([recruiterProfile(client, userId), upcomingSlots(deps, 41)]);
  return buildSlotsModal({ tz: profile.tz, now: deps.now(), slots, notice });
}
