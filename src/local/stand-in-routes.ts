/**
 * The local Slack stand-in's server side. The page (public/stand-in.js) plays the recruiter; these
 * JSON endpoints turn what they do into the requests Slack itself would send (slash commands,
 * block_actions, view_submission, block_suggestion, app_home_opened), signed with the local signing
 * secret and POSTed over HTTP to Panelist's own /slack/events, where the real Bolt app verifies and
 * handles them. Acks are applied to the emulated workspace the way Slack applies them (a
 * view_submission's response_action updates, errors or closes the modal), and the page re-renders
 * from the emulator's state, which is what the bot wrote through the Web API.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { SlackApiEmulator, SlackMessage, SlackViewOutput } from '../../tools/slack-emulator/emulator.js';
import {
  actionFromBlocks,
  appHomeOpenedEvent,
  blockActionsPayload,
  blockSuggestionPayload,
  eventCallbackBody,
  interactionBody,
  type SlackRequestResult,
  sendSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/slack-emulator/signing.js';
import type { ViewInput } from '../../tools/slack-emulator/view-state.js';
import { EMULATED_WORKSPACE as WS } from '../../tools/slack-emulator/workspace.js';
import { escapeHtml } from '../domain/escape.js';
import { formatInZone, isValidTimeZone, listTimeZones, zoneLabel } from '../domain/time.js';
import { isCandidateAddress } from '../services/candidate-traces.js';
import type { TServiceDeps } from '../services/deps.js';
import { startDemo } from './demo.js';
import { forgetOutboxRecipients, listOutbox, readOutboxEmail } from './outbox.js';
import { blocksHtml, inZone, messageHtml, modalHtml } from './stand-in-render.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const ASSETS: Record<string, string> = {
  'stand-in.js': 'text/javascript; charset=utf-8',
  'stand-in.css': 'text/css; charset=utf-8',
};

/** The commands the stand-in offers (those in manifest.yml). */
const STAND_IN_COMMANDS = ['/schedule-interview', '/interview-slots', '/interview-delete'] as const;

type Json = Record<string, unknown>;

const ZValues = z.record(
  z.string(),
  z.record(
    z.string(),
    z.union([z.string(), z.array(z.string()), z.object({ text: z.string(), value: z.string() }), z.null()]),
  ),
);
const ZCommand = z.object({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/, 'a command looks like /schedule-interview'),
  text: z.string().max(4000).default(''),
  channel: z.string().min(1).max(40),
});
const ZAction = z.object({
  viewId: z.string().max(40).optional(),
  channel: z.string().max(40).optional(),
  ts: z.string().max(40).optional(),
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  selection: z.union([z.string(), z.array(z.string())]).optional(),
  selectionText: z.string().max(2000).optional(),
  values: ZValues.optional(),
});
const ZSubmit = z.object({ viewId: z.string().max(40), values: ZValues });
const ZClose = z.object({ viewId: z.string().max(40) });
const ZTz = z.object({ tz: z.string().min(1).max(64) });
const ZDemo = z.object({ channel: z.string().min(1).max(40).default('C_RECRUITING') });
const ZOptions = z.object({
  viewId: z.string().max(40).optional(),
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  value: z.string().max(200).default(''),
});

/** What Slack shows when an app does not answer properly. */
function slackTrouble(command: string | undefined, res: SlackRequestResult): string {
  const what = command ? `${command} failed` : 'That did not work';
  return `${what}: the app answered HTTP ${res.status} after ${Math.round(res.ms)} ms. (Slack would show “We had some trouble connecting. Try again?”)`;
}

export function standInRoutes(opts: {
  deps: TServiceDeps;
  emulator: SlackApiEmulator;
  signingSecret: string;
  /** Panelist's own Slack endpoint, e.g. http://127.0.0.1:3000/slack/events. */
  eventsUrl: string;
  userId?: string;
}): FastifyPluginAsync {
  const { emulator, deps } = opts;
  const userId = opts.userId ?? WS.defaultUserId;
  const send = (body: string) => sendSlackRequest(opts.eventsUrl, body, opts.signingSecret);
  const outboxDir = path.join(deps.config.dataDir, 'outbox');

  /** A deleted candidate's emails leave the Outbox: their address no longer belongs to a candidate. */
  const forgetDeletedRecipients = () =>
    forgetOutboxRecipients(outboxDir, (address) => isCandidateAddress(deps, address)).catch(() => 0);

  const recruiterTz = () => emulator.users.get(userId)?.tz ?? 'UTC';
  const whenInZone = (at: Date, tz: string) =>
    Number.isNaN(at.getTime())
      ? ''
      : `${formatInZone(at, tz, 'datetime')} ${zoneLabel(at, tz).split(' ')[0]}`;

  const userName = (id: string) => {
    if (id === WS.botUserId) return 'Panelist';
    return emulator.users.get(id)?.realName ?? id;
  };

  /** `<@U123>` → `<@U123|name>`, so mentions show names as in Slack (names here are the emulator's own). */
  const withNames = <T>(value: T): T =>
    JSON.parse(
      JSON.stringify(value).replace(
        /<@([A-Z0-9_]+)>/g,
        (_all, id: string) => `<@${id}|${userName(id).replace(/[<>|"\\]/g, '')}>`,
      ),
    ) as T;

  /** A reply Slack shows "only to you" (a command's ack text, an error). */
  const addEphemeral = (channel: string, text: string) => {
    const last = emulator.messages.at(-1)?.ts;
    const now = Date.now() / 1000;
    const ts = Math.max(now, last ? Number(last) + 0.000001 : 0).toFixed(6);
    emulator.messages.push({
      type: 'message',
      channel,
      ts,
      text,
      user: WS.botUserId,
      bot_id: WS.botId,
      team: WS.teamId,
      ephemeralTo: userId,
    });
  };

  const channelsList = () => {
    const dm = emulator.dmChannelFor(userId);
    return [
      ...[...emulator.channels.values()]
        .filter((c) => !c.isIm)
        .map((c) => ({ id: c.id, label: `# ${c.name ?? c.id}` })),
      { id: dm.id, label: 'Panelist (DM)' },
    ];
  };

  const threadReplies = (m: SlackMessage) =>
    emulator.messages.filter(
      (r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts && !r.ephemeralTo,
    );

  const channelHtml = (channel: string) =>
    emulator.messages
      .filter(
        (m) =>
          m.channel === channel &&
          (m.thread_ts === undefined || m.thread_ts === m.ts) &&
          (!m.ephemeralTo || m.ephemeralTo === userId),
      )
      .map((m) => {
        const replies = threadReplies(m);
        const extra =
          (m.ephemeralTo ? '<div class="ephemeral">Only visible to you</div>' : '') +
          (replies.length > 0
            ? `<button type="button" class="thread-link" data-thread="${m.ts}">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</button>`
            : '');
        return messageHtml(withNames(m), userName(m.user), extra);
      })
      .join('');

  const threadHtml = (channel: string, ts: string) =>
    emulator
      .thread(channel, ts)
      .map((m) => messageHtml(withNames(m), userName(m.user)))
      .join('');

  const homeView = (): SlackViewOutput | undefined => {
    let found: { at: number; view: SlackViewOutput } | undefined;
    for (const stored of emulator.views.values()) {
      if (stored.userId === userId && stored.view.type === 'home' && (!found || stored.at >= found.at))
        found = stored;
    }
    return found?.view;
  };

  const findView = (viewId: string) => {
    const stored = emulator.views.get(viewId);
    if (!stored) throw Object.assign(new Error('That view is no longer open.'), { statusCode: 404 });
    return stored;
  };

  return async (app) => {
    app.get('/', async (_req, reply) => {
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      return pageHtml(recruiterTz());
    });

    app.get<{ Params: { file: string } }>('/ui/assets/:file', async (req, reply) => {
      const type = ASSETS[req.params.file];
      if (!type) return reply.status(404).send({ error: 'not_found', message: 'No such file.' });
      reply.type(type).header('cache-control', 'no-cache');
      return readFile(path.join(PUBLIC_DIR, req.params.file));
    });

    app.get<{ Querystring: { channel?: string; thread?: string; tab?: string } }>(
      '/ui/state',
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const channel = req.query.channel ?? 'C_RECRUITING';
        const modal = emulator.openModal(userId);
        const home = homeView();
        const tab = req.query.tab ?? 'channel';
        const tz = recruiterTz();
        if (tab === 'outbox') await forgetDeletedRecipients();
        const outbox =
          tab === 'outbox'
            ? (await listOutbox(outboxDir)).map((e) => ({ ...e, when: whenInZone(new Date(e.date), tz) }))
            : undefined;
        return {
          user: { id: userId, name: userName(userId), tz },
          channels: channelsList(),
          commands: STAND_IN_COMMANDS,
          messages: inZone(channelHtml(channel), tz),
          thread: req.query.thread ? inZone(threadHtml(channel, req.query.thread), tz) : '',
          modal: modal
            ? {
                id: modal.id,
                key: `${modal.id}:${modal.hash}:${tz}`,
                html: inZone(modalHtml(withNames(modal) as unknown as Json), tz),
              }
            : null,
          home: home
            ? { key: `${home.id}:${home.hash}:${tz}`, html: inZone(blocksHtml(withNames(home.blocks)), tz) }
            : null,
          outbox,
        };
      },
    );

    // An email as the candidate's mail program gets it (.eml), and its HTML part on its own, for a
    // sandboxed frame: no scripts, no same-origin access, nothing loaded from outside.
    // File names are long (Fastify caps path parameters at 100 characters): they go in the query.
    app.get<{ Querystring: { file?: string } }>('/ui/outbox/eml', async (req, reply) => {
      const file = req.query.file ?? '';
      const email = await readOutboxEmail(outboxDir, file);
      if (!email) return reply.status(404).send({ error: 'not_found', message: 'No such email.' });
      return reply
        .type('message/rfc822')
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(email.raw);
    });
    app.get<{ Querystring: { file?: string } }>('/ui/outbox/html', async (req, reply) => {
      const email = await readOutboxEmail(outboxDir, req.query.file ?? '');
      if (!email?.html) return reply.status(404).send({ error: 'not_found', message: 'No HTML part.' });
      return reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        )
        .header('x-frame-options', 'SAMEORIGIN')
        .send(email.html);
    });

    // The recruiter's time zone, standing in for the one in their Slack profile (users.info tz).
    // Slack tells apps about a profile change with a user_change event; so does the stand-in.
    app.post('/ui/tz', async (req, reply) => {
      const input = ZTz.parse(req.body);
      const user = emulator.users.get(userId);
      if (!user || !isValidTimeZone(input.tz))
        return reply.status(400).send({ error: 'bad_tz', message: `${input.tz} is not a time zone.` });
      user.tz = input.tz;
      await send(eventCallbackBody({ event: { type: 'user_change', user: { id: userId, tz: input.tz } } }));
      return { ok: true, tz: input.tz };
    });

    app.post('/ui/command', async (req, reply) => {
      const input = ZCommand.parse(req.body);
      const channel = emulator.channels.get(input.channel);
      if (!channel) return reply.status(400).send({ error: 'bad_channel', message: 'No such channel.' });
      const body = slashCommandBody({
        command: input.command,
        text: input.text,
        userId,
        userName: emulator.users.get(userId)?.name ?? 'recruiter',
        channelId: channel.id,
        channelName: channel.isIm ? 'directmessage' : (channel.name ?? channel.id),
        triggerId: emulator.issueTriggerId(userId),
      });
      const res = await send(body);
      if (res.status !== 200) {
        addEphemeral(channel.id, slackTrouble(input.command, res));
        return { ok: false, status: res.status, ms: res.ms };
      }
      // A command's ack may carry a reply only the user sees.
      const text =
        typeof res.json === 'object' && res.json ? (res.json as Json).text : res.body.trim() || undefined;
      if (typeof text === 'string' && text) addEphemeral(channel.id, text);
      return { ok: true, status: res.status, ms: res.ms };
    });

    app.post('/ui/action', async (req, reply) => {
      const input = ZAction.parse(req.body);
      let payload: Json;
      const triggerId = emulator.issueTriggerId(userId);
      if (input.viewId) {
        const stored = findView(input.viewId);
        if (input.values)
          emulator.submitViewState(input.viewId, input.values as Record<string, Record<string, ViewInput>>);
        const view = structuredClone(stored.view);
        const block = view.blocks.find((b) => b.block_id === input.blockId);
        if (!block) return reply.status(400).send({ error: 'bad_block', message: 'That block is gone.' });
        const action = actionFromBlocks([block], input.actionId, input.selection);
        if (input.selectionText && action.selected_option)
          (action.selected_option as Json).text = {
            type: 'plain_text',
            text: input.selectionText,
            emoji: true,
          };
        payload = blockActionsPayload({ user: userId, actions: [action], triggerId, view });
      } else {
        const message = emulator.messages.find((m) => m.channel === input.channel && m.ts === input.ts);
        if (!message)
          return reply.status(400).send({ error: 'bad_message', message: 'That message is gone.' });
        const block = (message.blocks ?? []).find((b) => b.block_id === input.blockId);
        if (!block) return reply.status(400).send({ error: 'bad_block', message: 'That block is gone.' });
        const action = actionFromBlocks([block], input.actionId, input.selection);
        const { ephemeralTo: _e, channel: _c, ...stored } = message;
        payload = blockActionsPayload({
          user: userId,
          actions: [action],
          triggerId,
          channel: message.channel,
          message: stored as unknown as Parameters<typeof blockActionsPayload>[0]['message'] & object,
        });
      }
      const res = await send(interactionBody(payload));
      if (res.status !== 200 && input.channel) addEphemeral(input.channel, slackTrouble(undefined, res));
      return { ok: res.status === 200, status: res.status, ms: res.ms };
    });

    app.post('/ui/submit', async (req) => {
      const input = ZSubmit.parse(req.body);
      findView(input.viewId);
      const view = emulator.submitViewState(
        input.viewId,
        input.values as Record<string, Record<string, ViewInput>>,
      );
      const res = await send(
        interactionBody(
          viewSubmissionPayload({ user: userId, view, triggerId: emulator.issueTriggerId(userId) }),
        ),
      );
      if (res.status !== 200) {
        return {
          ok: false,
          action: 'trouble',
          message: 'We had some trouble connecting. Try again?',
          ms: res.ms,
        };
      }
      const applied = emulator.applyViewSubmissionResponse(input.viewId, res.json ?? res.body.trim());
      return { ok: true, action: applied.action, errors: applied.errors ?? null, ms: res.ms };
    });

    app.post('/ui/close', async (req) => {
      const input = ZClose.parse(req.body);
      const stored = findView(input.viewId);
      if (stored.view.notify_on_close) {
        await send(
          interactionBody({
            type: 'view_closed',
            team: { id: WS.teamId, domain: WS.teamDomain },
            user: { id: userId },
            api_app_id: WS.appId,
            token: WS.verificationToken,
            view: stored.view,
            is_cleared: false,
          }),
        );
      }
      emulator.closeView(input.viewId);
      return { ok: true };
    });

    app.post('/ui/options', async (req) => {
      const input = ZOptions.parse(req.body);
      const view = input.viewId ? structuredClone(findView(input.viewId).view) : undefined;
      const res = await send(
        interactionBody(
          blockSuggestionPayload({
            user: userId,
            actionId: input.actionId,
            blockId: input.blockId,
            value: input.value,
            ...(view ? { view } : {}),
          }),
        ),
      );
      const json = (res.json ?? {}) as { options?: Json[]; option_groups?: Array<{ options?: Json[] }> };
      const all = [...(json.options ?? []), ...(json.option_groups ?? []).flatMap((g) => g.options ?? [])];
      return {
        options: all.map((o) => ({
          value: String(o.value ?? ''),
          text: String((o.text as Json | undefined)?.text ?? o.value ?? ''),
        })),
      };
    });

    // "Try a demo interview": a role, a slot starting now, a demo candidate booked through the
    // real form; the candidate's link comes back to the page and into the channel.
    app.post('/ui/demo', async (req, reply) => {
      const input = ZDemo.parse(req.body ?? {});
      const channel = emulator.channels.get(input.channel) ?? emulator.channels.get('C_RECRUITING')!;
      try {
        const demo = await startDemo({ deps, emulator, send, userId, channelId: channel.id });
        const when = `${formatInZone(demo.startsAt, demo.timeZone, 'time')} ${zoneLabel(demo.startsAt, demo.timeZone)}`;
        addEphemeral(
          channel.id,
          `:tada: *Demo booked.* ${demo.candidateName} is scheduled for *${demo.roleTitle}* at ${when}. ` +
            `Open <${demo.link}|the candidate's link> to take the interview as the candidate (typing is fine). ` +
            'When it ends, the result appears in the thread of the confirmation above.',
        );
        return { ok: true, link: demo.link, startsAt: demo.startsAt.toISOString(), when };
      } catch (err) {
        const message = (err as Error).message;
        addEphemeral(channel.id, `:warning: ${message}`);
        return reply.status(500).send({ ok: false, error: 'demo_failed', message });
      }
    });

    app.post('/ui/home', async () => {
      const current = homeView();
      const res = await send(
        eventCallbackBody({
          event: appHomeOpenedEvent({ user: userId, ...(current ? { view: current } : {}) }),
        }),
      );
      return { ok: res.status === 200, status: res.status };
    });
  };
}

/** The page shell: no inline script or style (the server's CSP is script-src 'self'). */
function pageHtml(tz: string): string {
  const zones = listTimeZones()
    .map((z) => `<option value="${escapeHtml(z)}"${z === tz ? ' selected' : ''}>${escapeHtml(z)}</option>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Panelist · local Slack stand-in</title>
<link rel="stylesheet" href="/dev/slack/ui/assets/stand-in.css">
<script type="module" src="/dev/slack/ui/assets/stand-in.js"></script>
</head>
<body>
<div class="app">
  <nav class="sidebar" aria-label="Workspace">
    <div class="workspace">Panelist Dev <span class="badge">local stand-in</span></div>
    <div class="section-title">Channels</div>
    <ul id="channels"></ul>
    <div class="section-title">Apps</div>
    <ul>
      <li><button type="button" class="nav" data-tab="home">Panelist · Home</button></li>
      <li><button type="button" class="nav" data-tab="outbox">Outbox (captured email)</button></li>
    </ul>
    <div class="section-title"><label for="tz">Your time zone</label></div>
    <select id="tz" class="tz" title="Stands in for the time zone in your Slack profile">${zones}</select>
    <p class="note">This page stands in for Slack on a local run. It sends Panelist the same signed requests Slack would.</p>
  </nav>
  <main class="main">
    <header class="channel-header"><h1 id="title"># recruiting</h1></header>
    <section id="messages" class="messages" aria-live="polite"></section>
    <section id="home" class="home" hidden></section>
    <section id="outbox" class="outbox" hidden></section>
    <div id="demo-ready" class="demo-ready" role="status" hidden>
      <p><b>Demo booked: the interview starts at <span class="when"></span>.</b> Take it as the candidate (typing is fine); the result appears in the thread of the confirmation in # recruiting.</p>
      <p><a class="btn primary" target="_blank" rel="noopener noreferrer">Open the candidate link</a> <button type="button" class="btn" id="demo-dismiss">Dismiss</button></p>
    </div>
    <form id="composer" class="composer" autocomplete="off">
      <input id="command" name="command" list="command-list" placeholder="Type /schedule-interview or /interview-slots and press Enter" aria-label="Message or command">
      <datalist id="command-list"></datalist>
      <button type="submit" class="btn primary">Send</button>
    </form>
    <div class="hints"><button type="button" class="btn primary" id="demo">Try a demo interview</button> or try: <button type="button" class="chip" data-command="/interview-slots">/interview-slots</button> <button type="button" class="chip" data-command="/schedule-interview">/schedule-interview</button></div>
  </main>
  <aside id="thread-pane" class="thread" hidden aria-label="Thread">
    <header><b>Thread</b> <button type="button" class="btn" id="thread-close">Close</button></header>
    <div id="thread"></div>
  </aside>
</div>
<div id="overlay" class="overlay" hidden></div>
<div id="toast" class="toast" role="status" hidden></div>
</body>
</html>`;
}
