/** Events API: App Home, and profile changes. */

import type { TBotDeps } from '../../deps.js';
import { publishHome } from '../../home.js';
import { forgetRecruiterProfile } from '../../recruiter.js';
import type { TListenerApp } from '../route-listeners.js';

export function register(app: TListenerApp, deps: TBotDeps): void {
  // A changed profile (time zone): forms and times follow it at once, not after the cache expires.
  app.event('user_change', async ({ event }) => {
    forgetRecruiterProfile(event.user.id);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps, event.user);
  });
}
