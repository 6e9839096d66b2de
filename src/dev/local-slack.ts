/**
 * Local mode's Slack: the Web API emulator the bot's WebClient talks to, mounted
 * at /dev/slack/api/ on Panelist's own server. Only started when no Slack
 * credentials are configured.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TServiceDeps } from '../services/deps.js';
import { SlackApiEmulator } from './slack-api/emulator.js';
import { buildSlackApiPlugin } from './slack-api/server.js';

export async function localSlackPlugin(opts: {
  deps: TServiceDeps;
  token: string;
  signingSecret: string;
}): Promise<FastifyPluginAsync> {
  const emulator = new SlackApiEmulator({ token: opts.token });
  return async (app) => {
    await app.register(buildSlackApiPlugin(emulator));
  };
}
