/** Events API: App Home, and profile changes. */

import { buildHome } from '../../../block-kit/home.js';
import { recentInterviews } from '../../../services/booking/interviews.js';
import { listRoles } from '../../../services/booking/roles.js';
import { listOpenSlots } from '../../../services/booking/slots.js';
import type { TBotDeps } from '../../deps.js';
import { forgetRecruiterProfile } from '../../recruiter.js';
import type { TListenerApp } from '../route-listeners.js';

export function register(app: TListenerApp, deps: TBotDeps): void {
  // A changed profile (time zone): forms and times follow it at once, not after the cache expires.
  app.event('user_change', async ({ event }) => {
    forgetRecruiterProfile(event.user.id);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const now = deps.now();
    const [interviews, roles, open] = await Promise.all([
      recentInterviews(deps, now),
      listRoles(deps, 50),
      listOpenSlots(deps.prisma, now, { limit: 1 }),
    ]);
    await client.views.publish({
      user_id: event.user,
      view: buildHome({
        interviews: interviews.map((i) => ({
          id: i.id,
          candidateName: i.candidate.name,
          roleTitle: i.role.title,
          start: i.scheduledStart,
          status: i.status,
        })),
        roles: roles.map((r) => ({
          id: r.id,
          title: r.title,
          competencyCount: Array.isArray(r.competencies) ? r.competencies.length : 0,
        })),
        openSlots: open.total,
      }),
    });
  });
}
