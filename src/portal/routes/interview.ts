/**
 * The candidate's side: the link (`/interview?session_key=…`, and `/?session_key=…`
 * from older emails), the lobby and room page, its static assets, the interview
 * WebSocket (answers' audio streams over it: there is no upload route). Everything is decided on the server: the
 * window, the state, the next question.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { modelOffer } from '../../domain/model-offer.js';
import { formatInZone } from '../../domain/time.js';
import { timeOutReason } from '../../domain/window.js';
import { sttOf } from '../../infra/ai/client.js';
import { KeyGuard } from '../../infra/key-guard.js';
import { candidatePageUrl } from '../../services/candidate/links.js';
import { interviewNotice } from '../../services/candidate/notice.js';
import { recordNoticeShown } from '../../services/candidate/requests.js';
import { finishInterview } from '../../services/interview/conduct.js';
import { readPlan } from '../../services/interview/plan.js';
import {
  findInterviewByKey,
  isCancelledKey,
  type TKeyedInterview,
  timingOf,
} from '../../services/interview/session.js';
import { CLIENT_ASSETS, clientBundles } from '../client-bundle.js';
import type { TPortalDeps } from '../deps.js';
import { InterviewSockets } from '../interview-socket.js';
import {
  renderCancelled,
  renderClosed,
  renderCompleted,
  renderInvalidLink,
  renderOptedOut,
  renderRateLimited,
  renderRoom,
  renderTooEarly,
  type TPageInterview,
} from '../pages.js';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const CSS = readFileSync(`${PUBLIC_DIR}portal.css`);
const ASSETS: Record<string, { type: string; body: () => Promise<Buffer | undefined> | Buffer }> = {
  'portal.css': { type: 'text/css; charset=utf-8', body: () => CSS },
  ...Object.fromEntries(
    CLIENT_ASSETS.map((name) => [
      name,
      { type: 'text/javascript; charset=utf-8', body: async () => (await clientBundles()).get(name) },
    ]),
  ),
};

const ZQuery = {
  type: 'object',
  properties: { session_key: { type: 'string', maxLength: 200 } },
} as const;

function pageData(deps: TPortalDeps, interview: TKeyedInterview): TPageInterview {
  const tz = interview.candidate.timeZone;
  const t = timingOf(deps, interview);
  const fmt = (d: Date) => {
    try {
      return formatInZone(d, tz, 'long');
    } catch {
      return formatInZone(d, 'UTC', 'long');
    }
  };
  return {
    company: deps.config.mail.companyName,
    roleTitle: interview.role.title,
    candidateName: interview.candidate.name,
    startsAtText: fmt(interview.scheduledStart),
    lobbyOpensAtText: fmt(t.window.lobbyOpensAt),
    closesAtText: fmt(t.window.closesAt),
    durationMinutes: Math.round(t.durationMs / 60_000),
    recruiterContact: interview.recruiterEmail ?? `the recruiter at ${deps.config.mail.companyName}`,
  };
}

export async function interviewRoutes(app: FastifyInstance, deps: TPortalDeps): Promise<void> {
  const guard = new KeyGuard(deps.queues.connection, deps.queues.prefix, deps.logger);
  const sockets = new InterviewSockets(deps, guard);
  // Built while the portal starts, so the first candidate does not wait for it (and a broken
  // client build stops start-up with esbuild's message instead of failing a candidate's page).
  await clientBundles();
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
    // Runs before the server stops (onClose is too late: the plugin's default preClose has already
    // closed every socket without a code). 1001 tells the room to reconnect, to another instance.
    // Waits (at most 1 s) for each close handshake, so the frame is out before the process exits.
    preClose(done) {
      const wss = this.websocketServer;
      const clients = [...wss.clients];
      const closed = clients.map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === client.CLOSED) return resolve();
            client.once('close', () => resolve());
            client.close(1001, 'server shutting down');
          }),
      );
      const timer = setTimeout(() => {
        for (const client of clients) client.terminate();
      }, 1000);
      void Promise.all(closed).then(() => {
        clearTimeout(timer);
        wss.close(() => done());
      });
    },
  });

  const page = async (
    req: FastifyRequest<{ Querystring: { session_key?: string } }>,
    reply: FastifyReply,
  ) => {
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    const key = req.query.session_key;
    // The key first: a valid one is served without asking the limiter (key-guard.ts).
    const interview = await findInterviewByKey(deps, key);
    if (!interview) {
      if (await isCancelledKey(deps, key))
        return reply.status(410).send(renderCancelled(deps.config.mail.companyName));
      if (await guard.miss(req.ip)) return reply.status(429).send(renderRateLimited());
      return reply.status(404).send(renderInvalidLink(deps.config.mail.companyName));
    }
    const p = pageData(deps, interview);
    const t = timingOf(deps, interview);
    const afterLinks = {
      selfIdentification: candidatePageUrl(deps.config, 'self-identification', interview, deps.now()),
      data: candidatePageUrl(deps.config, 'data', interview, deps.now()),
    };
    if (interview.status === 'in_progress' && t.remainingMs <= 0) {
      // Started, and its time (or the window) has run out while nobody was connected: end it now.
      await finishInterview(deps, interview.id, timeOutReason(t));
      return reply.send(renderCompleted(p, afterLinks));
    }
    if (interview.status !== 'scheduled' && interview.status !== 'in_progress') {
      if (interview.status === 'expired') return reply.send(renderClosed(p));
      if (interview.status === 'completed') {
        // Repairs an evaluation enqueue that failed when the interview ended (a no-op otherwise).
        await finishInterview(deps, interview.id, 'finished').catch((err: Error) =>
          req.log.warn(
            { interviewId: interview.id, err: { message: err.message } },
            'evaluation enqueue failed',
          ),
        );
      }
      return reply.send(renderCompleted(p, afterLinks));
    }
    const notice = interviewNotice(deps.config, {
      interview,
      roleTitle: interview.role.title,
      competencies: interview.role.competencies,
      hasModel: modelOffer(deps.config.ai).evaluates,
      now: deps.now(),
    });
    // Asked for a human interview instead: this AI interview does not start (issue 14).
    if (interview.status === 'scheduled' && interview.aiOptOutAt)
      return reply.send(renderOptedOut(p, notice));
    if (interview.status === 'scheduled' && t.state === 'too_early') return reply.send(renderTooEarly(p));
    if (t.state === 'closed') return reply.send(renderClosed(p));
    const questionCount = readPlan(interview.questionPlan)?.length ?? interview.role.questionCount;
    await recordNoticeShown(deps, interview.id, notice.version);
    return reply.send(
      renderRoom(
        {
          ...p,
          questionCount,
          retentionDays: deps.config.retentionDays,
          offer: modelOffer(deps.config.ai),
          notice,
          afterLinks,
        },
        {
          status: interview.status,
          joinOpensAt: t.window.joinOpensAt.toISOString(),
          closesAt: t.window.closesAt.toISOString(),
          serverNow: deps.now().toISOString(),
          durationMs: t.durationMs,
          questionCount,
          // An accommodation of typed answers only turns voice off for this interview.
          // Spoken answers need speech-to-text (a chat model alone, e.g. Ollama, has none).
          voiceAvailable: sttOf(deps.ai) !== null && !interview.typedAnswersOnly,
          typedAnswersOnly: interview.typedAnswersOnly,
          timeZone: interview.candidate.timeZone,
        },
      ),
    );
  };
  app.get('/interview', { schema: { querystring: ZQuery } }, page);
  app.get(
    '/',
    { schema: { querystring: ZQuery } },
    async (req: FastifyRequest<{ Querystring: { session_key?: string } }>, reply) => {
      if (req.query.session_key === undefined) {
        return reply
          .type('text/html; charset=utf-8')
          .status(404)
          .send(renderInvalidLink(deps.config.mail.companyName));
      }
      return page(req, reply);
    },
  );

  app.get<{ Params: { name: string } }>('/interview/assets/:name', async (req, reply) => {
    const asset = ASSETS[req.params.name];
    if (!asset) return reply.status(404).send({ error: 'not_found', message: 'No such file.' });
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .send(await asset.body());
  });

  app.get('/interview/ws', { websocket: true }, (socket, req) => sockets.handle(socket, req.ip));

  app.addHook('onClose', async () => {
    sockets.close();
    for (const client of app.websocketServer?.clients ?? []) client.close(1001, 'server shutting down');
  });
}
