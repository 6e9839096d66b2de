/**
 * Local mode (no Slack workspace: src/local, with the Slack Web API emulator from tools/) is loaded
 * by path, and only when asked for. TypeScript does not follow an import whose path is a variable,
 * so `npm run build` (tsconfig.build.json leaves src/local out) and a production image carry none of
 * the emulator; production requires SLACK_BOT_TOKEN, so it never asks for local mode.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TServiceDeps } from './services/deps.js';

type TLocalSlackOptions = { deps: TServiceDeps; token: string; signingSecret: string };
/** What src/local/local-slack.ts exports (it declares itself against this type). */
export type TLocalSlackModule = {
  localSlackPlugin(opts: TLocalSlackOptions): Promise<FastifyPluginAsync>;
};

const LOCAL_SLACK_MODULE = './local/local-slack.js';

export async function loadLocalMode(): Promise<TLocalSlackModule> {
  try {
    return (await import(LOCAL_SLACK_MODULE)) as TLocalSlackModule;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error(
      `Local mode (no SLACK_BOT_TOKEN) needs Panelist's source checkout, with src/local and tools/; this copy has no ${LOCAL_SLACK_MODULE} or what it imports (${(err as Error).message}). Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect a real workspace (docs/slack-setup.md), or run \`npm start\` from a checkout.`,
    );
  }
}
