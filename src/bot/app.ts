/**
 * Builds the Bolt app (not started). Over HTTP its receiver is a Fastify plugin
 * the entry point mounts on the portal's server; over Socket Mode Bolt connects
 * out to Slack itself.
 */
import { App, LogLevel } from '@slack/bolt';
import { SLACK_RETRIES } from '../infra/slack/client.js';
import { slackFetch } from '../infra/slack/fetch.js';
import type { TBotDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { PendingAcks } from './pending-acks.js';
import { boltLogger, FastifySlackReceiver, type TReplayGuard } from './receiver.js';

export type TBot = { app: App; receiver: FastifySlackReceiver | undefined };

export function buildBot(
  deps: TBotDeps,
  opts: {
    token: string;
    signingSecret?: string | undefined;
    appToken?: string | undefined;
    apiUrl?: string | undefined;
    isFirstSeen?: TReplayGuard;
    /**
     * Wait with Bolt's auth.test until `app.init()`: in local mode the Slack API is served by the
     * same server, which is not listening yet when the bot is built.
     */
    deferInit?: boolean;
  },
): TBot {
  const logger = boltLogger(deps.logger.child({ component: 'bot' }));
  // Bounded like every Slack call (infra/slack/client.ts, fetch.ts): a listener's call fails in time
  // instead of retrying for half an hour inside a request.
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    fetch: slackFetch,
    retryConfig: SLACK_RETRIES,
  };
  const acks = new PendingAcks();
  let receiver: FastifySlackReceiver | undefined;
  let app: App;
  // convoStore: false in both modes — no listener keeps conversation state, and Bolt's
  // default in-memory store is one more middleware (and a lookup) on every request.
  if (opts.appToken) {
    app = new App({
      token: opts.token,
      appToken: opts.appToken,
      socketMode: true,
      logger,
      logLevel: LogLevel.INFO,
      clientOptions,
      convoStore: false,
    });
  } else {
    if (!opts.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new FastifySlackReceiver({
      signingSecret: opts.signingSecret,
      logger: deps.logger.child({ component: 'slack-receiver' }),
      metrics: deps.metrics,
      acks,
      ...(opts.isFirstSeen ? { isFirstSeen: opts.isFirstSeen } : {}),
    });
    app = new App({
      token: opts.token,
      receiver,
      deferInitialization: opts.deferInit ?? false,
      logger,
      logLevel: LogLevel.INFO,
      clientOptions,
      convoStore: false,
    });
  }
  app.error(async (error) => {
    deps.logger.error(
      { err: { message: error.message, code: (error as { code?: string }).code } },
      'Slack listener failed',
    );
  });
  registerListeners(app, deps, acks);
  return { app, receiver };
}
