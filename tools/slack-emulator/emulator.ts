import { randomBytes } from 'node:crypto';
import { BLOCK_KIT_LIMITS, blocksJsonLength, validateBlocks, validateView } from './block-kit-checker.js';
import { fillViewState, type ViewInput, type ViewStateValues } from './view-state.js';
import { EMULATED_WORKSPACE, TRIGGER_ID_PATTERN } from './workspace.js';

/**
 * An in-memory Slack workspace answering the Web API methods Panelist calls, with Slack's own
 * answers: `{ ok: true, … }` with the fields Slack returns, or `{ ok: false, error }`.
 *
 * It backs the local mode (no Slack workspace) and the tests. In strict mode every call that real Slack
 * would refuse because of a bug in the caller (unknown method, missing argument, Block Kit violation,
 * a trigger_id used too late) is also written to `violations`, so a test can assert there were none.
 */

type Json = Record<string, unknown>;

export interface SlackApiResponse {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

export interface SlackApiCall {
  method: string;
  /** Arguments as the method saw them: JSON-encoded fields (`blocks`, `view`…) decoded, token removed. */
  args: Json;
  /** Epoch milliseconds. */
  at: number;
  ok: boolean;
  error?: string;
}

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  tz: string;
  email?: string;
  isBot: boolean;
  /** A workspace admin (users.info is_admin), e.g. for legal holds. */
  isAdmin?: boolean;
}

export interface SlackChannel {
  id: string;
  name?: string;
  isIm: boolean;
  isPrivate: boolean;
  /** The other member of a DM. */
  user?: string;
  created: number;
}

export interface SlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: Json[];
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  metadata?: unknown;
  edited?: { user: string; ts: string };
  /** Set on chat.postEphemeral messages: only this user sees them. */
  ephemeralTo?: string;
}

export interface SlackViewOutput {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  title?: Json;
  submit?: Json | null;
  close?: Json | null;
  blocks: Json[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: ViewStateValues };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  previous_view_id: string | null;
  root_view_id: string;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

export interface StoredView {
  id: string;
  userId: string;
  view: SlackViewOutput;
  isOpen: boolean;
  /** Epoch milliseconds of the last open/update/push/publish. */
  at: number;
}

export interface SlackApiEmulatorOptions {
  /** The bot token callers must send as `Authorization: Bearer …`. */
  token: string;
  /** Record caller bugs in `violations` (tests). */
  strict?: boolean;
  /** Clock, for tests of trigger expiry. Epoch milliseconds. */
  now?: () => number;
}

interface IssuedTrigger {
  userId: string;
  issuedAt: number;
  isUsed: boolean;
}

/** Slack gives a trigger_id 3 s to open a modal. */
const TRIGGER_TTL_MS = 3000;
/** Slack keeps at most 3 views in a modal's stack. */
const MODAL_STACK_LIMIT = 3;

const WS = EMULATED_WORKSPACE;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function randomId(prefix: string, length = 10): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

function shortBlockId(): string {
  // Slack's generated block ids look like "Xq3=A": short and opaque.
  return randomBytes(4).toString('base64url').slice(0, 5);
}

/** `tz_label` and `tz_offset` (seconds east of UTC) for a time zone, at `at`. */
function tzInfo(tz: string, at: Date): { label: string; offset: number } {
  const part = (timeZoneName: 'long' | 'longOffset') =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
  const offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
  return { label: part('long'), offset };
}

/** The fields WebClient sends as JSON strings, parsed; `onBad` runs for one that is not JSON. */
function decodeJsonFields(args: Json, onBad: (key: string) => void): Json {
  const decoded: Json = { ...args };
  for (const key of ['blocks', 'attachments', 'view', 'metadata']) {
    const value = decoded[key];
    if (typeof value !== 'string') continue;
    try {
      decoded[key] = JSON.parse(value);
    } catch {
      onBad(key);
    }
  }
  return decoded;
}

export class SlackApiEmulator {
  readonly token: string;
  readonly isStrict: boolean;
  readonly calls: SlackApiCall[] = [];
  readonly violations: string[] = [];
  readonly messages: SlackMessage[] = [];
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, SlackChannel>();
  readonly views = new Map<string, StoredView>();

  private readonly now: () => number;
  private readonly triggers = new Map<string, IssuedTrigger>();
  /** Open modal stack per user, root first. */
  private readonly modalStacks = new Map<string, string[]>();
  private readonly homeViews = new Map<string, string>();
  private lastTs = { sec: 0, micro: 0 };
  private triggerCounter = 0;
  private readonly listeners = new Set<(call: SlackApiCall) => void>();

  constructor(options: SlackApiEmulatorOptions) {
    this.token = options.token;
    this.isStrict = options.strict ?? false;
    this.now = options.now ?? Date.now;
    this.seed();
  }

  private seed(): void {
    this.addUser({
      id: WS.defaultUserId,
      name: 'recruiter',
      tz: 'America/New_York',
      email: 'recruiter@example.com',
    });
    this.addUser({ id: WS.botUserId, name: WS.botName, tz: 'America/Los_Angeles', isBot: true });
    this.addChannel({ id: 'C_RECRUITING', name: 'recruiting' });
    this.addChannel({ id: 'C_GENERAL', name: 'general' });
  }

  // ---- workspace set-up --------------------------------------------------------------------------

  addUser(user: {
    id: string;
    name: string;
    tz: string;
    email?: string;
    realName?: string;
    isBot?: boolean;
    isAdmin?: boolean;
  }): SlackUser {
    const stored: SlackUser = {
      id: user.id,
      name: user.name,
      realName: user.realName ?? user.name,
      tz: user.tz,
      isBot: user.isBot ?? false,
      ...(user.isAdmin ? { isAdmin: true } : {}),
      ...(user.email === undefined ? {} : { email: user.email }),
    };
    this.users.set(user.id, stored);
    return stored;
  }

  addChannel(channel: { id: string; name: string; isPrivate?: boolean }): SlackChannel {
    const stored: SlackChannel = {
      id: channel.id,
      name: channel.name,
      isIm: false,
      isPrivate: channel.isPrivate ?? false,
      created: Math.floor(this.now() / 1000),
    };
    this.channels.set(channel.id, stored);
    return stored;
  }

  /** The DM channel between the app and a user, created on first use (as `conversations.open` does). */
  dmChannelFor(userId: string): SlackChannel {
    for (const channel of this.channels.values()) {
      if (channel.isIm && channel.user === userId) return channel;
    }
    const channel: SlackChannel = {
      id: `D${userId.replace(/^U_?/, '')}`,
      isIm: true,
      isPrivate: true,
      user: userId,
      created: Math.floor(this.now() / 1000),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /**
   * A trigger_id as Slack puts in a slash command or an interaction, good for one `views.open` or
   * `views.push` within 3 s.
   */
  issueTriggerId(userId: string = WS.defaultUserId): string {
    this.triggerCounter += 1;
    const id = `${1_000_000_000 + this.triggerCounter}.${738474920}.${randomBytes(10).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: this.now(), isUsed: false });
    return id;
  }

  // ---- helpers for tests -------------------------------------------------------------------------

  /** Top-level messages of a channel, oldest first (what `conversations.history` would list). */
  messagesIn(channel: string): SlackMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts) && !m.ephemeralTo,
    );
  }

  /** A thread: its parent, then the replies, oldest first. */
  thread(channel: string, ts: string): SlackMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && !m.ephemeralTo && (m.ts === ts || m.thread_ts === ts),
    );
  }

  ephemeralsFor(userId: string): SlackMessage[] {
    return this.messages.filter((m) => m.ephemeralTo === userId);
  }

  /** The view most recently opened, pushed, updated or published (for one user, if given). */
  lastView(userId?: string): SlackViewOutput | undefined {
    let last: StoredView | undefined;
    for (const stored of this.views.values()) {
      if (userId !== undefined && stored.userId !== userId) continue;
      if (!last || stored.at >= last.at) last = stored;
    }
    return last?.view;
  }

  /** The modal currently on top of a user's stack. */
  openModal(userId: string = WS.defaultUserId): SlackViewOutput | undefined {
    const stack = this.modalStacks.get(userId);
    const top = stack?.[stack.length - 1];
    return top === undefined ? undefined : this.views.get(top)?.view;
  }

  callsTo(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (past or future) to `method` that matches `where`. */
  waitForCall(
    method: string,
    options: { timeoutMs?: number; where?: (call: SlackApiCall) => boolean } = {},
  ): Promise<SlackApiCall> {
    const matches = (call: SlackApiCall) => call.method === method && (options.where?.(call) ?? true);
    const done = this.calls.find(matches);
    if (done) return Promise.resolve(done);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no call to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (call: SlackApiCall) => {
        if (!matches(call)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(call);
      };
      this.listeners.add(listener);
    });
  }

  /** Fills the state of a stored view as if the user typed `values`; returns the view to submit. */
  submitViewState(viewId: string, values: Record<string, Record<string, ViewInput>>): SlackViewOutput {
    const stored = this.views.get(viewId);
    if (!stored) throw new Error(`submitViewState: no view ${viewId}`);
    stored.view.state = { values: fillViewState(stored.view, values) };
    return structuredClone(stored.view);
  }

  /** Closes a modal (the user pressed Close, or the app acked a submission with no response_action). */
  closeView(viewId: string): void {
    const stored = this.views.get(viewId);
    if (!stored) return;
    stored.isOpen = false;
    const stack = this.modalStacks.get(stored.userId);
    if (!stack) return;
    const index = stack.indexOf(viewId);
    if (index >= 0) stack.splice(index, 1);
  }

  /**
   * Applies what the app answered to a `view_submission` (the HTTP body of its ack), as Slack does:
   * empty → the view closes; `update` → replaced; `push` → a new view on the stack; `clear` → all closed;
   * `errors` → the view stays open with the errors shown. The view in an update/push is validated.
   */
  applyViewSubmissionResponse(
    viewId: string,
    body: unknown,
  ): { action: 'close' | 'update' | 'push' | 'clear' | 'errors' | 'invalid'; errors?: unknown } {
    const stored = this.views.get(viewId);
    if (!stored) throw new Error(`applyViewSubmissionResponse: no view ${viewId}`);
    if (
      body === undefined ||
      body === null ||
      body === '' ||
      (isObject(body) && Object.keys(body).length === 0)
    ) {
      this.closeView(viewId);
      return { action: 'close' };
    }
    if (!isObject(body)) return this.invalidResponse('view_submission ack body must be a JSON object');
    switch (body.response_action) {
      case 'errors':
        return { action: 'errors', errors: body.errors };
      case 'clear':
        for (const id of this.modalStacks.get(stored.userId) ?? []) this.closeView(id);
        this.modalStacks.set(stored.userId, []);
        return { action: 'clear' };
      case 'update':
      case 'push': {
        const problems = validateView(body.view);
        if (problems.length > 0) {
          this.violate(`view_submission response_action=${body.response_action}: ${problems.join('; ')}`);
          return { action: 'invalid', errors: problems };
        }
        const view = body.view as Json;
        if (body.response_action === 'update') {
          stored.view = this.buildView(
            view,
            stored.view.id,
            stored.view.root_view_id,
            stored.view.previous_view_id,
          );
          stored.at = this.now();
          return { action: 'update' };
        }
        const stack = this.modalStacks.get(stored.userId) ?? [];
        if (stack.length >= MODAL_STACK_LIMIT) return this.invalidResponse('push_limit_reached');
        this.storeView(view, stored.userId, { rootViewId: stored.view.root_view_id, previousViewId: viewId });
        return { action: 'push' };
      }
      default:
        return this.invalidResponse(`unknown response_action ${JSON.stringify(body.response_action)}`);
    }
  }

  private invalidResponse(message: string): { action: 'invalid'; errors: string[] } {
    this.violate(`view_submission response: ${message}`);
    return { action: 'invalid', errors: [message] };
  }

  /** Clears messages, views, triggers, calls and violations; users and channels stay. */
  reset(): void {
    this.calls.length = 0;
    this.violations.length = 0;
    this.messages.length = 0;
    this.views.clear();
    this.triggers.clear();
    this.modalStacks.clear();
    this.homeViews.clear();
    for (const [id, channel] of this.channels) if (channel.isIm) this.channels.delete(id);
  }

  // ---- the Web API -------------------------------------------------------------------------------

  /**
   * Answers one Web API call. `args` are the request's parameters (form fields or JSON body);
   * `authToken` is the Bearer token of the Authorization header, if any.
   */
  handle(method: string, rawArgs: Json, authToken?: string): SlackApiResponse {
    const { token: bodyToken, ...args } = rawArgs;
    const token = authToken ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
    let response: SlackApiResponse;
    if (!token) {
      response = { ok: false, error: 'not_authed' };
    } else if (token !== this.token) {
      response = { ok: false, error: 'invalid_auth' };
    } else {
      const handler = this.methods[method];
      if (!handler) {
        this.violate(`${method}: unknown method`);
        response = { ok: false, error: 'unknown_method', req_method: method };
      } else {
        try {
          response = handler(this.decodeArgs(method, args));
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          response = { ok: false, error: error.code, ...error.extra };
        }
      }
    }
    const call: SlackApiCall = {
      method,
      args: this.safeDecode(args),
      at: this.now(),
      ok: response.ok,
      ...(response.error === undefined ? {} : { error: response.error }),
    };
    this.calls.push(call);
    for (const listener of [...this.listeners]) listener(call);
    return response;
  }

  private violate(message: string): void {
    if (this.isStrict) this.violations.push(message);
  }

  /** Form-encoded calls carry objects as JSON strings and booleans as "true"/"false" (WebClient.serializeBody). */
  private decodeArgs(method: string, args: Json): Json {
    return decodeJsonFields(args, (key) => {
      const code =
        key === 'blocks' ? 'invalid_blocks_format' : key === 'view' ? 'invalid_arguments' : 'invalid_json';
      this.violate(`${method}: ${key} is not valid JSON`);
      throw new ApiError(code, { response_metadata: { messages: [`[ERROR] ${key} is not valid JSON`] } });
    });
  }

  /** For the call log: keeps a field's raw string where it is not JSON (the call was refused for it). */
  private safeDecode(args: Json): Json {
    return decodeJsonFields(args, () => undefined);
  }

  private readonly methods: Record<string, (args: Json) => SlackApiResponse> = {
    'api.test': (args) => ({ ok: true, args }),
    'auth.test': () => ({
      ok: true,
      url: `https://${WS.teamDomain}.slack.com/`,
      team: WS.teamName,
      user: WS.botName,
      team_id: WS.teamId,
      user_id: WS.botUserId,
      bot_id: WS.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => this.postMessage(args, false),
    'chat.postEphemeral': (args) => this.postMessage(args, true),
    'chat.update': (args) => this.updateMessage(args),
    'chat.getPermalink': (args) => {
      const channel = this.requireString('chat.getPermalink', args, 'channel', 'channel_not_found');
      const ts = this.requireString('chat.getPermalink', args, 'message_ts', 'invalid_arguments');
      const message = this.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeralTo);
      if (!message) throw new ApiError('message_not_found');
      const base = `https://${WS.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
      const permalink =
        message.thread_ts && message.thread_ts !== message.ts
          ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}`
          : base;
      return { ok: true, channel, permalink };
    },
    'conversations.open': (args) => {
      if (typeof args.channel === 'string') {
        const channel = this.channels.get(args.channel);
        if (!channel) throw new ApiError('channel_not_found');
        return { ok: true, no_op: true, already_open: true, channel: { id: channel.id } };
      }
      const users = typeof args.users === 'string' ? args.users.split(',').filter(Boolean) : [];
      if (users.length === 0) {
        this.violate('conversations.open: missing users or channel');
        throw new ApiError('users_list_not_supplied');
      }
      if (users.length > 1)
        throw new ApiError('not_supported', { detail: 'the emulator opens 1:1 DMs only' });
      const userId = users[0]!;
      if (!this.users.has(userId)) throw new ApiError('user_not_found');
      const existed = [...this.channels.values()].some((c) => c.isIm && c.user === userId);
      const channel = this.dmChannelFor(userId);
      const returnIm = args.return_im === true || args.return_im === 'true';
      return {
        ok: true,
        ...(existed ? { no_op: true, already_open: true } : {}),
        channel: returnIm ? this.channelInfo(channel) : { id: channel.id },
      };
    },
    'conversations.info': (args) => {
      const id = this.requireString('conversations.info', args, 'channel', 'channel_not_found');
      const channel = this.channels.get(id);
      if (!channel) throw new ApiError('channel_not_found');
      return { ok: true, channel: this.channelInfo(channel) };
    },
    'conversations.history': (args) => {
      const channel = this.requireString('conversations.history', args, 'channel', 'channel_not_found');
      if (!this.channels.has(channel)) throw new ApiError('channel_not_found');
      const oldest = Number(args.oldest ?? 0);
      const limit = Math.min(Math.max(Number(args.limit ?? 100), 1), 999);
      // Newest first, top-level messages only, as Slack returns them.
      const found = this.messagesIn(channel)
        .filter((m) => Number(m.ts) >= oldest)
        .reverse();
      return {
        ok: true,
        messages: found.slice(0, limit).map((m) => this.messageOutput(m)),
        has_more: found.length > limit,
        response_metadata: { next_cursor: '' },
      };
    },
    'conversations.replies': (args) => {
      const channel = this.requireString('conversations.replies', args, 'channel', 'channel_not_found');
      const ts = this.requireString('conversations.replies', args, 'ts', 'invalid_arguments');
      if (!this.channels.has(channel)) throw new ApiError('channel_not_found');
      const thread = this.thread(channel, ts);
      if (thread.length === 0) throw new ApiError('thread_not_found');
      return {
        ok: true,
        messages: thread.map((m) => this.messageOutput(m)),
        has_more: false,
        response_metadata: { next_cursor: '' },
      };
    },
    'users.info': (args) => {
      const id = this.requireString('users.info', args, 'user', 'user_not_found');
      const user = this.users.get(id);
      if (!user) throw new ApiError('user_not_found');
      return { ok: true, user: this.userOutput(user) };
    },
    'views.open': (args) => {
      const triggerUser = this.consumeTrigger('views.open', args.trigger_id);
      const view = this.requireView('views.open', args);
      if (view.type !== 'modal')
        throw this.badArgs('views.open', '/view/type', 'views.open only opens modals');
      // A new modal replaces whatever modal the user had open.
      for (const id of this.modalStacks.get(triggerUser) ?? []) this.closeView(id);
      this.modalStacks.set(triggerUser, []);
      const stored = this.storeView(view, triggerUser, {});
      return { ok: true, view: structuredClone(stored.view) };
    },
    'views.push': (args) => {
      const triggerUser = this.consumeTrigger('views.push', args.trigger_id);
      const view = this.requireView('views.push', args);
      const stack = this.modalStacks.get(triggerUser) ?? [];
      const top = stack[stack.length - 1];
      if (top === undefined) {
        this.violate('views.push: the user has no open modal to push onto');
        throw new ApiError('not_found');
      }
      if (stack.length >= MODAL_STACK_LIMIT) throw new ApiError('push_limit_reached');
      const root = this.views.get(top)?.view.root_view_id ?? top;
      const stored = this.storeView(view, triggerUser, { rootViewId: root, previousViewId: top });
      return { ok: true, view: structuredClone(stored.view) };
    },
    'views.update': (args) => {
      const view = this.requireView('views.update', args);
      let stored: StoredView | undefined;
      if (typeof args.view_id === 'string' && args.view_id) {
        stored = this.views.get(args.view_id);
      } else if (typeof args.external_id === 'string' && args.external_id) {
        stored = [...this.views.values()].find((v) => v.view.external_id === args.external_id && v.isOpen);
      } else {
        throw this.badArgs('views.update', '/view_id', 'either view_id or external_id is required');
      }
      if (!stored?.isOpen) throw new ApiError('not_found');
      if (typeof args.hash === 'string' && args.hash && args.hash !== stored.view.hash) {
        throw new ApiError('hash_conflict');
      }
      if (view.type !== stored.view.type) {
        throw this.badArgs('views.update', '/view/type', 'a view cannot change its type');
      }
      const before = stored.view.state.values;
      stored.view = this.buildView(view, stored.id, stored.view.root_view_id, stored.view.previous_view_id);
      // Slack keeps what the user entered in inputs whose block_id and action_id are unchanged.
      for (const block of stored.view.blocks as Json[]) {
        const element = block.type === 'input' && isObject(block.element) ? block.element : undefined;
        const kept = element && before[String(block.block_id)]?.[String(element.action_id)];
        if (kept) stored.view.state.values[String(block.block_id)] = { [String(element.action_id)]: kept };
      }
      stored.at = this.now();
      return { ok: true, view: structuredClone(stored.view) };
    },
    'views.publish': (args) => {
      const userId = this.requireString('views.publish', args, 'user_id', 'invalid_arguments');
      if (!this.users.has(userId)) throw new ApiError('user_not_found');
      const view = this.requireView('views.publish', args);
      if (view.type !== 'home')
        throw this.badArgs('views.publish', '/view/type', 'views.publish only publishes home');
      const existingId = this.homeViews.get(userId);
      const existing = existingId === undefined ? undefined : this.views.get(existingId);
      if (existing && typeof args.hash === 'string' && args.hash && args.hash !== existing.view.hash) {
        throw new ApiError('hash_conflict');
      }
      const id = existingId ?? randomId('V');
      const stored: StoredView = {
        id,
        userId,
        view: this.buildView(view, id, id, null),
        isOpen: true,
        at: this.now(),
      };
      this.views.set(id, stored);
      this.homeViews.set(userId, id);
      return { ok: true, view: structuredClone(stored.view) };
    },
  };

  // ---- method bodies -----------------------------------------------------------------------------

  private requireString(method: string, args: Json, key: string, error: string): string {
    const value = args[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number') return String(value);
    this.violate(`${method}: missing required argument ${key}`);
    throw new ApiError(error, {
      response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
    });
  }

  private badArgs(method: string, pointer: string, message: string): ApiError {
    this.violate(`${method}: ${message} [json-pointer:${pointer}]`);
    return new ApiError('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] ${message} [json-pointer:${pointer}]`] },
    });
  }

  /** Resolves `C…`, `D…`, a user id (its DM with the app) or a `#name` to a channel. */
  private resolveChannel(method: string, args: Json): SlackChannel {
    const raw = this.requireString(method, args, 'channel', 'channel_not_found');
    const direct = this.channels.get(raw);
    if (direct) return direct;
    if (this.users.has(raw)) return this.dmChannelFor(raw);
    const name = raw.replace(/^#/, '');
    const byName = [...this.channels.values()].find((c) => c.name === name);
    if (byName) return byName;
    throw new ApiError('channel_not_found');
  }

  private checkMessageContent(method: string, args: Json, isUpdate: boolean): void {
    const hasText = typeof args.text === 'string' && args.text.length > 0;
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if (!isUpdate && !hasText && !hasBlocks && !hasAttachments) {
      this.violate(`${method}: missing required argument text (or blocks)`);
      throw new ApiError('no_text');
    }
    if (typeof args.text === 'string' && args.text.length > BLOCK_KIT_LIMITS.messageText) {
      this.violate(
        `${method}: text is ${args.text.length} characters (limit ${BLOCK_KIT_LIMITS.messageText})`,
      );
      throw new ApiError('msg_too_long');
    }
    if (args.blocks !== undefined) {
      const errors = validateBlocks(args.blocks, 'message');
      if (errors.length > 0) {
        for (const error of errors) this.violate(`${method}: ${error}`);
        throw new ApiError('invalid_blocks', {
          errors,
          response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
        });
      }
      const size = blocksJsonLength(args.blocks);
      if (size > BLOCK_KIT_LIMITS.messageBlocksJson) {
        this.violate(
          `${method}: blocks are ${size} characters of JSON (limit ${BLOCK_KIT_LIMITS.messageBlocksJson})`,
        );
        throw new ApiError('msg_blocks_too_long');
      }
    }
  }

  private postMessage(args: Json, isEphemeral: boolean): SlackApiResponse {
    const method = isEphemeral ? 'chat.postEphemeral' : 'chat.postMessage';
    const channel = this.resolveChannel(method, args);
    let ephemeralTo: string | undefined;
    if (isEphemeral) {
      ephemeralTo = this.requireString(method, args, 'user', 'user_not_found');
      if (!this.users.has(ephemeralTo)) throw new ApiError('user_not_found');
    }
    this.checkMessageContent(method, args, false);
    let threadTs: string | undefined;
    if (args.thread_ts !== undefined && args.thread_ts !== '') {
      threadTs = String(args.thread_ts);
      const parent = this.messages.find((m) => m.channel === channel.id && m.ts === threadTs);
      if (!parent) {
        // Slack posts it anyway, but a reply to nothing is a bug in the caller.
        this.violate(`${method}: thread_ts ${threadTs} is not a message in ${channel.id}`);
      } else if (parent.thread_ts && parent.thread_ts !== parent.ts) {
        threadTs = parent.thread_ts; // replying to a reply lands in the same thread
      }
    }
    const message: SlackMessage = {
      type: 'message',
      channel: channel.id,
      ts: this.nextTs(),
      text: typeof args.text === 'string' ? args.text : '',
      user: WS.botUserId,
      bot_id: WS.botId,
      app_id: WS.appId,
      team: WS.teamId,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...(Array.isArray(args.blocks) ? { blocks: this.withIds(args.blocks as Json[]) } : {}),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
      ...(ephemeralTo === undefined ? {} : { ephemeralTo }),
    };
    this.messages.push(message);
    if (isEphemeral) return { ok: true, message_ts: message.ts };
    return { ok: true, channel: channel.id, ts: message.ts, message: this.messageOutput(message) };
  }

  private updateMessage(args: Json): SlackApiResponse {
    const channel = this.resolveChannel('chat.update', args);
    const ts = this.requireString('chat.update', args, 'ts', 'message_not_found');
    this.checkMessageContent('chat.update', args, true);
    const message = this.messages.find((m) => m.channel === channel.id && m.ts === ts && !m.ephemeralTo);
    if (!message) throw new ApiError('message_not_found');
    if (message.user !== WS.botUserId) throw new ApiError('cant_update_message');
    // chat.update keeps the text and the blocks the call leaves out; an empty blocks array removes them.
    if (typeof args.text === 'string') message.text = args.text;
    if (Array.isArray(args.blocks)) {
      if (args.blocks.length === 0) delete message.blocks;
      else message.blocks = this.withIds(args.blocks as Json[]);
    }
    message.edited = { user: WS.botUserId, ts: this.nextTs() };
    return { ok: true, channel: channel.id, ts, text: message.text, message: this.messageOutput(message) };
  }

  private consumeTrigger(method: string, triggerId: unknown): string {
    if (typeof triggerId !== 'string' || triggerId.length === 0) {
      this.violate(`${method}: missing required argument trigger_id`);
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] },
      });
    }
    const issued = this.triggers.get(triggerId);
    if (!issued) {
      if (!TRIGGER_ID_PATTERN.test(triggerId)) {
        this.violate(`${method}: ${triggerId} is not a trigger_id`);
        throw new ApiError('invalid_trigger_id');
      }
      return WS.defaultUserId; // well-formed but not ours: accepted, its age unknown
    }
    const age = this.now() - issued.issuedAt;
    if (age > TRIGGER_TTL_MS) {
      this.violate(
        `${method}: trigger_id used ${age} ms after it was issued (Slack allows ${TRIGGER_TTL_MS})`,
      );
      throw new ApiError('expired_trigger_id');
    }
    if (issued.isUsed) {
      this.violate(`${method}: trigger_id used twice`);
      throw new ApiError('exchanged_trigger_id');
    }
    issued.isUsed = true;
    return issued.userId;
  }

  private requireView(method: string, args: Json): Json {
    const view = args.view;
    if (!isObject(view)) {
      this.violate(`${method}: missing required argument view`);
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: view'] },
      });
    }
    const errors = validateView(view);
    if (errors.length > 0) {
      for (const error of errors) this.violate(`${method}: ${error}`);
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
      });
    }
    if (typeof view.external_id === 'string' && view.external_id && method !== 'views.update') {
      const taken = [...this.views.values()].some((v) => v.isOpen && v.view.external_id === view.external_id);
      if (taken) throw new ApiError('duplicate_external_id');
    }
    return view;
  }

  private storeView(
    view: Json,
    userId: string,
    links: { rootViewId?: string; previousViewId?: string },
  ): StoredView {
    const id = randomId('V');
    const stored: StoredView = {
      id,
      userId,
      view: this.buildView(view, id, links.rootViewId ?? id, links.previousViewId ?? null),
      isOpen: true,
      at: this.now(),
    };
    this.views.set(id, stored);
    const stack = this.modalStacks.get(userId) ?? [];
    stack.push(id);
    this.modalStacks.set(userId, stack);
    return stored;
  }

  private buildView(
    view: Json,
    id: string,
    rootViewId: string,
    previousViewId: string | null,
  ): SlackViewOutput {
    const plain = (value: unknown) => (isObject(value) ? { emoji: true, ...value } : null);
    const type = view.type === 'home' ? 'home' : 'modal';
    return {
      id,
      team_id: WS.teamId,
      type,
      ...(type === 'modal'
        ? { title: plain(view.title) ?? {}, submit: plain(view.submit), close: plain(view.close) }
        : {}),
      blocks: this.withIds(Array.isArray(view.blocks) ? (view.blocks as Json[]) : []),
      private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
      callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
      external_id: typeof view.external_id === 'string' ? view.external_id : '',
      state: { values: {} },
      hash: `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      clear_on_close: view.clear_on_close === true,
      notify_on_close: view.notify_on_close === true,
      previous_view_id: previousViewId,
      root_view_id: rootViewId,
      app_id: WS.appId,
      app_installed_team_id: WS.teamId,
      bot_id: WS.botId,
    };
  }

  /** Slack gives every block a block_id and every interactive element an action_id when they lack one. */
  private withIds(blocks: Json[]): Json[] {
    return blocks.map((original) => {
      const block = structuredClone(original);
      if (typeof block.block_id !== 'string') block.block_id = shortBlockId();
      const elements: unknown[] = [];
      if (Array.isArray(block.elements) && block.type === 'actions') elements.push(...block.elements);
      if (isObject(block.accessory)) elements.push(block.accessory);
      if (isObject(block.element)) elements.push(block.element);
      for (const element of elements) {
        if (isObject(element) && element.type !== 'image' && typeof element.action_id !== 'string') {
          element.action_id = shortBlockId();
        }
      }
      return block;
    });
  }

  /** Strictly increasing message timestamps: epoch seconds, then a 6-digit counter. */
  private nextTs(): string {
    const sec = Math.floor(this.now() / 1000);
    if (sec > this.lastTs.sec) this.lastTs = { sec, micro: 100 };
    else this.lastTs = { sec: this.lastTs.sec, micro: this.lastTs.micro + 100 };
    if (this.lastTs.micro > 999_999) this.lastTs = { sec: this.lastTs.sec + 1, micro: 100 };
    return `${this.lastTs.sec}.${String(this.lastTs.micro).padStart(6, '0')}`;
  }

  private messageOutput(message: SlackMessage): Json {
    const replies = this.messages.filter(
      (m) => m.channel === message.channel && m.thread_ts === message.ts && m !== message,
    );
    const output: Json = {
      user: message.user,
      type: 'message',
      ts: message.ts,
      ...(message.bot_id === undefined ? {} : { bot_id: message.bot_id }),
      ...(message.app_id === undefined ? {} : { app_id: message.app_id }),
      text: message.text,
      team: message.team,
      ...(message.blocks === undefined ? {} : { blocks: structuredClone(message.blocks) }),
      ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
      ...(message.edited === undefined ? {} : { edited: { ...message.edited } }),
    };
    if (message.bot_id !== undefined) {
      output.bot_profile = {
        id: WS.botId,
        app_id: WS.appId,
        name: 'Panelist',
        icons: {},
        deleted: false,
        updated: Math.floor(this.now() / 1000),
        team_id: WS.teamId,
        user_id: WS.botUserId,
      };
    }
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      output.thread_ts = message.thread_ts;
      output.parent_user_id = this.messages.find((m) => m.ts === message.thread_ts)?.user ?? message.user;
    } else if (replies.length > 0) {
      const last = replies[replies.length - 1]!;
      const replyUsers = [...new Set(replies.map((r) => r.user))];
      Object.assign(output, {
        thread_ts: message.ts,
        reply_count: replies.length,
        reply_users_count: replyUsers.length,
        latest_reply: last.ts,
        reply_users: replyUsers,
        is_locked: false,
        subscribed: false,
      });
    }
    return output;
  }

  private channelInfo(channel: SlackChannel): Json {
    if (channel.isIm) {
      return {
        id: channel.id,
        created: channel.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: WS.teamId,
        updated: channel.created * 1000,
        user: channel.user,
        is_user_deleted: false,
        priority: 0,
      };
    }
    return {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.isPrivate,
      is_group: channel.isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate,
      created: channel.created,
      is_archived: false,
      is_general: channel.name === 'general',
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: WS.teamId,
      updated: channel.created * 1000,
      creator: WS.defaultUserId,
      is_ext_shared: false,
      shared_team_ids: [WS.teamId],
      is_member: true,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      previous_names: [],
    };
  }

  private userOutput(user: SlackUser): Json {
    const tz = tzInfo(user.tz, new Date(this.now()));
    return {
      id: user.id,
      team_id: WS.teamId,
      name: user.name,
      deleted: false,
      color: '9f69e7',
      real_name: user.realName,
      tz: user.tz,
      tz_label: tz.label,
      tz_offset: tz.offset,
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: user.realName,
        real_name_normalized: user.realName,
        display_name: user.name,
        display_name_normalized: user.name,
        fields: null,
        status_text: '',
        status_emoji: '',
        status_expiration: 0,
        avatar_hash: 'g0000000000a',
        ...(user.email === undefined ? {} : { email: user.email }),
        first_name: user.realName.split(' ')[0] ?? user.realName,
        last_name: user.realName.split(' ').slice(1).join(' '),
        team: WS.teamId,
        ...(user.isBot ? { bot_id: WS.botId, api_app_id: WS.appId, always_active: true } : {}),
      },
      is_admin: user.isAdmin === true,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.isBot,
      is_app_user: false,
      updated: Math.floor(this.now() / 1000),
      is_email_confirmed: !user.isBot,
      who_can_share_contact_card: 'EVERYONE',
    };
  }
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}
