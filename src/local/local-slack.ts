/**
 * Local mode's Slack, mounted at /dev/slack on Panelist's own server when no Slack credentials are
 * configured: the Web API emulator the bot's WebClient talks to (/dev/slack/api/:method) and the
 * stand-in page where a person plays the recruiter (/dev/slack, JSON under /dev/slack/ui/).
 */

import { SlackApiEmulator } from '../../tools/slack-emulator/emulator.js';
import { buildSlackApiPlugin } from '../../tools/slack-emulator/server.js';
import type { TLocalSlackModule } from '../load-local-mode.js';
import { standInRoutes } from './stand-in-routes.js';

/** The address this process reaches itself at (a wildcard listen address is not one). */
function selfHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === ''
    ? '127.0.0.1'
    : host.includes(':')
      ? `[${host}]`
      : host;
}

export const localSlackPlugin: TLocalSlackModule['localSlackPlugin'] = async (opts) => {
  const emulator = new SlackApiEmulator({ token: opts.token });
  const { config } = opts.deps;
  const eventsUrl = `http://${selfHost(config.host)}:${config.port}/slack/events`;
  if (!['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    // Anyone who reaches the stand-in acts as the recruiter: it is for one person on one machine.
    opts.deps.logger.warn(
      { host: config.host },
      'the local Slack stand-in (/dev/slack) is reachable from other machines: anyone who can open it acts as the recruiter. Set HOST=127.0.0.1, or configure Slack (docs/slack-setup.md).',
    );
  }
  return async (app) => {
    // Separate scopes: the emulator parses forms its own way. The page polls every second and the
    // bot calls the API often: at the default level their request lines would bury the app's own.
    await app.register(buildSlackApiPlugin(emulator), { logLevel: 'warn' });
    await app.register(
      standInRoutes({ deps: opts.deps, emulator, signingSecret: opts.signingSecret, eventsUrl }),
      { logLevel: 'warn' },
    );
  };
};
