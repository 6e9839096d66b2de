/**
 * Bolt runs the matching middleware of every registered listener for every
 * request: with the bot's 23 listeners that was ~50 object spreads and async
 * calls per request before its ack, the largest single item of bench/slack-ack's
 * profile once the rest was trimmed (~4× the bare app's Bolt time).
 *
 * Listener modules register here with Bolt's own signatures. Commands, view
 * submissions, block actions and block suggestions registered by their exact
 * id are served by one Bolt listener per kind that looks the handler up in a
 * table; anything else (patterns, other constraints, several middlewares, an id
 * registered twice) goes to Bolt as it is, so Bolt's matching rules still hold
 * (Bolt starts all matching listeners together; their start order is not kept).
 *
 * Why it exists: bench/slack-ack — Bolt's per-listener matching was the largest item before the ack.
 */
import type { App } from '@slack/bolt';

export type TListenerApp = Pick<App, 'command' | 'view' | 'action' | 'options' | 'event'>;

// biome-ignore lint/suspicious/noExplicitAny: handlers of every kind share one table type; Bolt types each at registration.
type THandler = (args: any) => Promise<void> | void;
type TTable = Map<string, THandler>;

function take(table: TTable, id: unknown, listeners: unknown[]): boolean {
  if (typeof id !== 'string' || listeners.length !== 1 || table.has(id)) return false;
  table.set(id, listeners[0] as THandler);
  return true;
}

/** Calls `register` with a registry, then mounts what it registered on `app`. */
export function routeListeners(app: App, register: (registry: TListenerApp) => void): void {
  const commands: TTable = new Map();
  const views: TTable = new Map();
  const actions: TTable = new Map();
  const suggestions: TTable = new Map();
  // biome-ignore lint/suspicious/noExplicitAny: forwards Bolt's overloaded signatures untouched.
  type TArgs = [any, ...any[]];
  const registry = {
    command: (...a: TArgs) => take(commands, a[0], a.slice(1)) || app.command(...a),
    view: (...a: TArgs) => take(views, a[0], a.slice(1)) || app.view(...a),
    action: (...a: TArgs) => take(actions, a[0], a.slice(1)) || app.action(...a),
    options: (...a: TArgs) => {
      // { action_id: '…' } alone is the same match as the bare id.
      const c = a[0] as { action_id?: unknown } | string;
      const id = typeof c === 'object' && Object.keys(c).length === 1 ? c.action_id : c;
      return take(suggestions, id, a.slice(1)) || app.options(...a);
    },
    event: (...a: TArgs) => app.event(...a),
  };
  register(registry as unknown as TListenerApp);
  // An id with no handler gets no ack, as with Bolt alone (its unhandled-request timeout answers).
  if (commands.size > 0) app.command(/^/, async (args) => commands.get(args.command.command)?.(args));
  if (views.size > 0)
    app.view({ type: 'view_submission' }, async (args) => views.get(args.view.callback_id)?.(args));
  if (actions.size > 0)
    app.action({ type: 'block_actions' }, async (args) => {
      const id = (args.action as { action_id?: string }).action_id;
      await (id === undefined ? undefined : actions.get(id)?.(args));
    });
  if (suggestions.size > 0)
    app.options({ type: 'block_suggestion' }, async (args) => {
      const id = (args.body as { action_id?: string }).action_id;
      await (id === undefined ? undefined : suggestions.get(id)?.(args));
    });
}
