import Fastify, { type FastifyPluginAsync } from 'fastify';
import { SlackApiEmulator } from './emulator.js';

const FORM = 'application/x-www-form-urlencoded';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Serves the emulator as Slack's Web API: `POST /api/:method` with a form-encoded body (what
 * `@slack/web-api` sends) or a JSON body, and `GET /api/:method?…`. Point a WebClient at it with
 * `slackApiUrl: 'http://host:port/<prefix>/api/'`.
 *
 * Errors are HTTP 200 with `{ ok: false, error }`, as on Slack: WebClient only treats 429 specially
 * and would turn any other status into a transport error.
 */
export function buildSlackApiPlugin(emulator: SlackApiEmulator): FastifyPluginAsync {
  return async (app) => {
    // Scoped to this plugin: the host app may parse forms differently, or not at all.
    if (app.hasContentTypeParser(FORM)) app.removeContentTypeParser(FORM);
    app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    const answer = (method: string, args: unknown, authorization: string | undefined) => {
      const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
      return emulator.handle(method, isRecord(args) ? args : {}, token);
    };

    app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
      reply.header('content-type', 'application/json; charset=utf-8');
      return answer(request.params.method, request.body, request.headers.authorization);
    });
    app.get<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
      reply.header('content-type', 'application/json; charset=utf-8');
      return answer(request.params.method, request.query, request.headers.authorization);
    });
  };
}

export interface SlackApiServer {
  /** Base URL for `slackApiUrl`, ending with `/api/`. */
  url: string;
  emulator: SlackApiEmulator;
  close(): Promise<void>;
}

/** Starts the emulator on its own server at 127.0.0.1 on a free port. */
export async function startSlackApiServer(options: {
  token: string;
  strict?: boolean;
  emulator?: SlackApiEmulator;
}): Promise<SlackApiServer> {
  const emulator =
    options.emulator ?? new SlackApiEmulator({ token: options.token, strict: options.strict ?? false });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(buildSlackApiPlugin(emulator));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('Slack API emulator: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/api/`,
    emulator,
    close: () => app.close(),
  };
}
