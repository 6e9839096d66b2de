/**
 * The Slack Web API emulator on a server of our own, with a hook before each call:
 * a test can hold a call (the worker is then "in the middle" of it), or act once
 * Slack has answered it (kill the worker right after Slack accepted a post).
 */
import Fastify from 'fastify';
import { SlackApiEmulator } from '../../../tools/slack-emulator/emulator.js';
import { buildSlackApiPlugin } from '../../../tools/slack-emulator/server.js';

export const TOKEN = 'xoxb-test-token';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const RECRUITER = 'U_RECRUITER';
export const CHANNEL = 'C_RECRUITING';

export type TSlackHook = {
  /**
   * Runs before the emulator handles `method`; the call waits for it. Returning
   * `{ error }` answers as Slack does for a failed call (`ok: false`); throwing answers 500.
   */
  before?: (method: string, args: Record<string, unknown>) => unknown;
  /** Runs after the emulator answered `method` (the answer is on its way). */
  after?: (method: string) => void;
};

export type TSlackPeer = {
  url: string;
  emulator: SlackApiEmulator;
  hook: TSlackHook;
  close(): Promise<void>;
};

export async function startSlackPeer(): Promise<TSlackPeer> {
  const emulator = new SlackApiEmulator({ token: TOKEN, strict: true });
  emulator.addUser({ id: RECRUITER, name: 'rita', tz: 'America/New_York', email: 'rita@acme.test' });
  const hook: TSlackHook = {};
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const methodOf = (url: string) => /\/api\/([^/?]+)/.exec(url)?.[1] ?? '';
  app.addHook('preHandler', async (request, reply) => {
    const args = (request.body ?? {}) as Record<string, unknown>;
    const answer = (await hook.before?.(methodOf(request.url), args)) as { error?: string } | undefined;
    if (answer?.error) return reply.send({ ok: false, error: answer.error });
  });
  app.addHook('onSend', async (request) => {
    hook.after?.(methodOf(request.url));
  });
  await app.register(buildSlackApiPlugin(emulator));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/api/`, emulator, hook, close: () => app.close() };
}

/**
 * Holds every call to `method` until `release()`: the worker making it is then
 * "in the middle" of its job. `held()` counts the calls waiting.
 */
export function holdCalls(peer: TSlackPeer, method: string): { release: () => void; held: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let held = 0;
  peer.hook.before = (m) => {
    if (m !== method) return;
    held++;
    return gate;
  };
  return { release, held: () => held };
}
