/**
 * A Slack thread as a static HTML page, for screenshots of what the hiring team reads: the
 * stand-in's own Block Kit renderer (src/local/stand-in-render.ts, the one renderer) and its
 * stylesheet, with mentions named and every time shown in the reader's zone.
 */
import { readFileSync } from 'node:fs';
import { escapeHtml } from '../../src/domain/escape.js';
import { inZone, messageHtml } from '../../src/local/stand-in-render.js';

const STAND_IN_CSS = readFileSync(new URL('../../src/local/public/stand-in.css', import.meta.url), 'utf8');

export type TRenderedMessage = {
  author: string;
  isApp?: boolean;
  /** Slack ts (seconds.micro). */
  ts: string;
  text?: string;
  blocks?: unknown[];
  isEdited?: boolean;
};

export type TThreadPageOptions = {
  /** IANA zone times are shown in (Slack uses the reader's). */
  timeZone?: string;
  /** Display names for `<@U…>` mentions. */
  users?: Record<string, string>;
  /** Names for `<#C…>` channel links. */
  channels?: Record<string, string>;
};

/** `<@U1>` → `<@U1|Ann>` and `<#C1>` → `<#C1|recruiting>`, as Slack's client shows them. */
function nameMentions<T>(value: T, o: TThreadPageOptions): T {
  const json = JSON.stringify(value)
    .replace(/<@([A-Z0-9_]+)>/g, (all, id: string) => (o.users?.[id] ? `<@${id}|${o.users[id]}>` : all))
    .replace(/<#([A-Z0-9_]+)>/g, (all, id: string) =>
      o.channels?.[id] ? `<#${id}|${o.channels[id]}>` : all,
    );
  return JSON.parse(json) as T;
}

function message(m: TRenderedMessage, o: TThreadPageOptions): string {
  const named = nameMentions({ text: m.text ?? '', blocks: m.blocks }, o);
  return messageHtml(
    {
      ts: m.ts,
      text: named.text,
      ...(named.blocks ? { blocks: named.blocks } : {}),
      user: m.author,
      ...(m.isApp ? { bot_id: 'B_PANELIST' } : {}),
      ...(m.isEdited ? { edited: true } : {}),
    },
    m.author,
  );
}

/** A whole page: a channel message and, under it, its thread replies. */
export function renderThreadPage(input: {
  title: string;
  root: TRenderedMessage;
  replies: TRenderedMessage[];
  options?: TThreadPageOptions;
}): string {
  const o = input.options ?? {};
  const replies =
    input.replies.length > 0
      ? `<div class="thread-label">${input.replies.length} repl${input.replies.length === 1 ? 'y' : 'ies'}</div>${input.replies.map((r) => message(r, o)).join('')}`
      : '';
  const body = inZone(`${message(input.root, o)}${replies}`, o.timeZone ?? 'UTC');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${STAND_IN_CSS}
body{background:#fff}.thread-page{max-width:760px;margin:0 auto;padding:16px 20px}.thread-title{font-weight:900;font-size:18px;padding:8px 0 12px;border-bottom:1px solid #e8e8e8}.thread-label{padding:12px 0 4px;color:#616061;font-size:13px;border-top:1px solid #e8e8e8;margin-top:8px}
</style></head><body><main class="thread-page"><div class="thread-title">${escapeHtml(input.title)}</div>${body}</main></body></html>`;
}
