/**
 * Entry point: `tsx src/main.ts [all|bot|portal|worker ...]`.
 * Reads .env (if present) and the environment once, starts the roles asked for,
 * and shuts them down cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './infra/logger.js';
import { ALL_ROLES, startPanelist, type TRole } from './start.js';

function parseRoles(args: string[]): TRole[] {
  if (args.length === 0 || args.includes('all')) return ALL_ROLES;
  const unknown = args.filter((a) => !ALL_ROLES.includes(a as TRole));
  if (unknown.length > 0) {
    console.error(`Unknown role ${unknown.join(', ')}. Use: all, bot, portal, worker.`);
    process.exit(2);
  }
  return args as TRole[];
}

if (existsSync('.env')) process.loadEnvFile('.env');
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
const roles = parseRoles(process.argv.slice(2));
const logger = createLogger(config.logLevel);

let running: Awaited<ReturnType<typeof startPanelist>>;
try {
  running = await startPanelist(config, roles, logger);
} catch (err) {
  console.error(`\nPanelist could not start:\n${(err as Error).message}\n`);
  process.exit(1);
}

logger.info({ roles, url: running.url, slack: config.slack.mode }, 'Panelist is running');
if (config.slack.mode === 'local' && running.url) {
  const base = `http://localhost:${config.port}`;
  console.log(
    [
      '',
      '  Panelist is running locally (no Slack workspace, mail account or model key needed).',
      '',
      `  1. Open ${base}/dev/slack — you are the recruiter in a stand-in for Slack.`,
      '  2. Press "Try a demo interview": it books a demo candidate into a slot starting now',
      "     and gives you the candidate's link. (Or add slots with /interview-slots, then /schedule-interview.)",
      `  3. Open the link and take the interview as the candidate. Emails are in the stand-in's Outbox`,
      `     (and under ${config.dataDir}/outbox/).`,
      config.ai.baseUrl
        ? '  4. The AI evaluation appears in the interview thread when it ends.'
        : '  4. The interview thread says when it ends. No AI evaluation runs: no model is set up (README, "Connect a model").',
      '',
      '  Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
}

/**
 * Exit codes a supervisor can tell apart (docs/deploy.md): 0 after a clean stop (in-flight work
 * finished or handed back); 124 when the stop did not finish within SHUTDOWN_TIMEOUT_MS + 5 s and
 * was forced (a dependency stalled: jobs still running are picked up again by another worker once
 * their lock expires); 1 when a shutdown step failed.
 */
const EXIT_FORCED_STOP = 124;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hardStopMs = config.shutdownTimeoutMs + 5000;
    const hardStop = setTimeout(() => {
      // Synchronous: pino's asynchronous transport would be cut off by the exit.
      process.stderr.write(
        `Panelist did not stop within ${hardStopMs} ms (SHUTDOWN_TIMEOUT_MS + 5 s): forced exit ${EXIT_FORCED_STOP}\n`,
      );
      process.exit(EXIT_FORCED_STOP);
    }, hardStopMs);
    hardStop.unref();
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
