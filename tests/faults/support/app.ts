/**
 * Panelist as it runs in production: `src/main.ts <roles>` in its own process (`node --import tsx`),
 * configured only by environment variables, talking to the peers a test chose.
 */
import { startNode, type TChild } from '../../helpers/processes.js';
import { freePort } from './services.js';
import { SIGNING_SECRET, TOKEN } from './slack-peer.js';

export type TAppProcess = TChild & { url: string; port: number; roles: string[] };

export type TAppEnv = {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  slackApiUrl: string;
  smtpUrl?: string;
  openAiUrl?: string;
  extra?: Record<string, string>;
};

export function appEnv(e: TAppEnv, port = 0): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: '/tmp/panelist-faults-data',
    DATABASE_URL: e.databaseUrl,
    REDIS_URL: e.redisUrl,
    REDIS_AUTOSTART: 'false',
    QUEUE_PREFIX: e.prefix,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: e.slackApiUrl,
    TRANSCRIPT_LINK_SECRET: 'fault-transcript-secret-0123456789abcdef',
    CANDIDATE_LINK_SECRET: 'fault-candidate-link-secret-0123456789abcdef',
    COMPANY_NAME: 'Acme',
    MAIL_FROM: 'Acme Interviews <interviews@acme.test>',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...(e.smtpUrl ? { SMTP_URL: e.smtpUrl } : {}),
    ...(e.openAiUrl
      ? { OPENAI_BASE_URL: e.openAiUrl, OPENAI_API_KEY: 'sk-test', OPENAI_TIMEOUT_MS: '3000' }
      : {}),
    ...e.extra,
  };
}

/** Starts `src/main.ts` with these roles; resolves once it says it is running. */
export async function startApp(roles: string[], e: TAppEnv, port?: number): Promise<TAppProcess> {
  const p = port ?? (await freePort());
  // A cold start compiles the app (tsx); on a busy 2-core machine that has taken over a minute.
  const child = await startNode('src/main.ts', roles, appEnv(e, p), 'Panelist is running', 180_000);
  return Object.assign(child, { url: `http://127.0.0.1:${p}`, port: p, roles });
}

/**
 * Waits until the process answers /readyz with 200 (its first requests compile code and open
 * connections, which on a loaded 2-core machine can take longer than Slack's 3 s).
 */
export async function waitReady(app: TAppProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${app.roles.join('+')} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
