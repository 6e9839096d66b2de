/**
 * Bolt's HTTP receiver as a Fastify plugin, so Slack's endpoint lives on the
 * portal's server (POST /slack/events). Signatures are computed on the raw body,
 * so this plugin keeps it as bytes (in its own encapsulated scope: the portal's
 * JSON routes keep their parsers). Shape follows bolt-js
 * examples/custom-receiver/src/FastifyReceiver.ts.
 */

import { parse as parseQuery } from 'node:querystring';
import {
  type App,
  type BufferedIncomingMessage,
  type CodedError,
  HTTPResponseAck,
  HTTPModuleFunctions as http,
  type Receiver,
  type ReceiverEvent,
  verifySlackRequest,
} from '@slack/bolt';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../infra/logger.js';
import type { TMetrics } from '../infra/metrics.js';
import { ANSWER_BUDGET_MS, ANSWER_BY } from './answer-clock.js';
import type { PendingAcks } from './pending-acks.js';

/** Slack's payloads are small; anything this large is not from Slack. */
const BODY_LIMIT = 256 * 1024;

/**
 * The last resort when a listener has not answered (it should, by ANSWER_BUDGET_MS): Slack stops
 * waiting at 3 s, so an answer after this is worth nothing. Bolt's own handler would answer 404.
 */
const UNANSWERED_AFTER_MS = 2900;

export type TReplayGuard = (signature: string) => Promise<boolean>;

export class FastifySlackReceiver implements Receiver {
  private app: App | undefined;
  private readonly boltLog: ReturnType<typeof boltLogger>;

  constructor(
    private readonly opts: {
      signingSecret: string;
      logger: Logger;
      metrics?: TMetrics;
      /** Returns false when this exact signed request was seen before (a replay). */
      isFirstSeen?: TReplayGuard;
      /** The app's count of requests awaiting their ack, which its after-ack work waits on. */
      acks?: PendingAcks;
      path?: string;
    },
  ) {
    this.boltLog = boltLogger(opts.logger);
  }

  init(app: App): void {
    this.app = app;
  }

  // The Fastify server's lifecycle belongs to the entry point.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  readonly plugin: FastifyPluginAsync = async (scope) => {
    const contentTypes = ['application/json', 'application/x-www-form-urlencoded'];
    scope.removeContentTypeParser(contentTypes);
    scope.addContentTypeParser(
      contentTypes,
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    // helmet: false — browser security headers mean nothing to Slack's servers, and
    // @fastify/helmet builds its middleware anew on every request (≈ 0.07 ms of CPU each).
    scope.post(
      this.opts.path ?? '/slack/events',
      { bodyLimit: BODY_LIMIT, helmet: false },
      async (request, reply) => {
        const started = performance.now();
        const req = request.raw as BufferedIncomingMessage;
        const res = reply.raw;
        reply.hijack();
        // After-ack work (opening modals) waits while requests like this one await their answer.
        this.opts.acks?.track(res);
        req.rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        // Bolt refuses timestamps more than 5 minutes old but not ones in the future, and a
        // request stamped an hour ahead would outlive the replay guard's memory (fault suite).
        const stamped = Number(req.headers['x-slack-request-timestamp']);
        if (Number.isFinite(stamped) && stamped > Date.now() / 1000 + 5 * 60) {
          this.opts.logger.warn('rejected a Slack request stamped in the future');
          http.buildNoBodyResponse(res, 401);
          return;
        }
        // The body is read once: form-decoded for the ssl_check probe (which Slack sends
        // unsigned), verified on its raw text, then its JSON payload parsed (Bolt's
        // parseAndVerifyHTTPRequest + parseHTTPRequestBody decode the form twice).
        const text = req.rawBody.toString();
        const isForm = req.headers['content-type'] === 'application/x-www-form-urlencoded';
        const form = isForm ? parseQuery(text) : undefined;
        if (form?.ssl_check === '1') {
          http.buildSSLCheckResponse(res);
          return;
        }
        const signature = req.headers['x-slack-signature'];
        try {
          if (typeof signature !== 'string') throw new Error('no x-slack-signature header');
          verifySlackRequest({
            signingSecret: this.opts.signingSecret,
            body: text,
            headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': stamped },
          });
        } catch (err) {
          this.opts.logger.warn(
            { reason: (err as Error).message },
            'rejected a Slack request that failed verification',
          );
          http.buildNoBodyResponse(res, 401);
          return;
        }
        if (this.opts.isFirstSeen && !(await this.opts.isFirstSeen(signature).catch(() => true))) {
          this.opts.logger.warn('rejected a replayed Slack request');
          http.buildNoBodyResponse(res, 409);
          return;
        }
        // biome-ignore lint/suspicious/noExplicitAny: Bolt's body is untyped JSON by design.
        let body: any;
        try {
          body = !form
            ? JSON.parse(text)
            : typeof form.payload === 'string'
              ? JSON.parse(form.payload)
              : form;
        } catch {
          http.buildNoBodyResponse(res, 400);
          return;
        }
        if (body?.type === 'url_verification') {
          http.buildUrlVerificationResponse(res, body);
          return;
        }
        const kind = String(body?.command ?? body?.type ?? 'unknown');
        res.once('finish', () =>
          this.opts.metrics?.slackAck.observe({ kind }, (performance.now() - started) / 1000),
        );
        const ack = new HTTPResponseAck({
          logger: this.boltLog,
          processBeforeResponse: false,
          unhandledRequestHandler: ({ response }) => {
            // No listener answered: none matched (an unknown callback id), or one overran the
            // answer budget (a bug: each step asks answer-clock.ts first). 503, not Bolt's 404:
            // Slack shows the user an error, and a resubmitted form books once (its request id).
            this.opts.logger.error(
              { kind, ms: Math.round(performance.now() - started) },
              `a Slack request was not answered within ${UNANSWERED_AFTER_MS} ms (no listener handled it, or one overran the ${ANSWER_BUDGET_MS} ms answer budget); answered 503`,
            );
            if (!response.headersSent) http.buildNoBodyResponse(response, 503);
          },
          unhandledRequestTimeoutMillis: Math.max(
            0,
            Math.round(UNANSWERED_AFTER_MS - (performance.now() - started)),
          ),
          httpRequest: req,
          httpResponse: res,
        });
        const event: ReceiverEvent = {
          body,
          ack: ack.bind(),
          retryNum: http.extractRetryNumFromHTTPRequest(req),
          retryReason: http.extractRetryReasonFromHTTPRequest(req),
          // Listeners budget their steps from the request's arrival (before the replay check).
          customProperties: { [ANSWER_BY]: started + ANSWER_BUDGET_MS },
        };
        try {
          await this.app?.processEvent(event);
        } catch (error) {
          const acknowledged = await http.defaultProcessEventErrorHandler({
            error: error as Error | CodedError,
            logger: this.boltLog,
            request: req,
            response: res,
            storedResponse: ack.storedResponse,
          });
          if (acknowledged) ack.ack();
        }
      },
    );
  };
}

/** Bolt's Logger interface over pino. */
export function boltLogger(logger: Logger) {
  let level = 'info';
  return {
    debug: (...m: unknown[]) => logger.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => logger.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => logger.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => logger.error(m.map(String).join(' ')),
    setLevel: (l: string) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as unknown as import('@slack/bolt').Logger;
}
