/**
 * external_select options (Slack asks as the user types; answer within 3 s, at
 * most 100 options): time zones, roles, and slots once there are too many for a
 * static select.
 */

import { readMetadata, roleOptionFor, slotOption, timeZoneOption } from '../../../block-kit/common.js';
import { SCHEDULE } from '../../../block-kit/schedule-modal.js';
import { SLOTS } from '../../../block-kit/slots-modal.js';
import { listTimeZones } from '../../../domain/time.js';
import { listRoles } from '../../../services/booking/roles.js';
import { listOpenSlots } from '../../../services/booking/slots.js';
import type { TBotDeps } from '../../deps.js';
import type { TListenerApp } from '../route-listeners.js';

const ZONES = listTimeZones();

/** Zones matching every word typed ("new york", "kolkata", "utc+5"), preferred ones first. */
export function searchTimeZones(query: string, limit = 100): string[] {
  const words = query.toLowerCase().replace(/[_/]/g, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return ZONES.filter((z) => z.includes('/') || z === 'UTC').slice(0, limit);
  return ZONES.filter((z) => {
    const hay = z.toLowerCase().replace(/[_/]/g, ' ');
    return words.every((w) => hay.includes(w));
  }).slice(0, limit);
}

export function register(app: TListenerApp, deps: TBotDeps): void {
  for (const actionId of [SCHEDULE.tz, SLOTS.tz]) {
    app.options<'block_suggestion'>({ action_id: actionId }, async ({ ack, body }) => {
      const now = deps.now();
      await ack({ options: searchTimeZones(body.value ?? '').map((tz) => timeZoneOption(tz, now)) });
    });
  }

  app.options<'block_suggestion'>({ action_id: SCHEDULE.role }, async ({ ack, body }) => {
    const q = (body.value ?? '').toLowerCase();
    const roles = await listRoles(deps, 500).catch(() => []);
    await ack({
      options: roles
        .filter((r) => r.title.toLowerCase().includes(q))
        .slice(0, 100)
        .map(roleOptionFor),
    });
  });

  app.options<'block_suggestion'>({ action_id: SCHEDULE.slot }, async ({ ack, body }) => {
    const view = 'view' in body ? body.view : undefined;
    const tz = readMetadata<{ tz: string }>(view?.private_metadata).tz ?? 'UTC';
    const q = (body.value ?? '').toLowerCase().trim();
    // Search over the next few hundred open slots by their label in the recruiter's zone.
    const { slots } = await listOpenSlots(deps.prisma, deps.now(), { limit: 100 }).catch(() => ({
      slots: [],
    }));
    let pool = slots;
    if (q && slots.length === 100) {
      const more = await listOpenSlots(deps.prisma, deps.now(), {
        limit: 100,
        after: slots[99]!.startsAt,
      }).catch(() => ({ slots: [] }));
      pool = [...slots, ...more.slots];
    }
    const options = pool
      .map((s) => slotOption(s, tz))
      .filter((o) => !q || o.text.text.toLowerCase().includes(q))
      .slice(0, 100);
    await ack({ options });
  });
}
