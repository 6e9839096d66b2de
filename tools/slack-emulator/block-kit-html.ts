/**
 * A small, faithful HTML rendering of the Block Kit Panelist uses, for screenshots of Slack
 * threads (the stand-in's interactive page has its own, src/local/stand-in-render.ts). It follows Slack's own rules:
 * mrkdwn `*bold*`, `_italic_`, `~strike~`, `` `code` ``, `>` quotes, `<url|text>` links,
 * `<@U…>` / `<#C…>` / `<!here>` mentions, `<!date^unix^format|fallback>` dates (in the reader's
 * time zone), and `&amp; &lt; &gt;` as the only entities; plain_text is shown as typed.
 * Everything is HTML-escaped: text from a message can never become markup here.
 */
import { escapeHtml } from '../../src/domain/escape.js';

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as Slack stores it.
type Json = Record<string, any>;

export type TRenderOptions = {
  /** IANA zone `<!date^…>` is shown in (Slack uses the reader's). */
  timeZone?: string;
  /** Display names for `<@U…>` mentions. */
  users?: Record<string, string>;
  /** Names for `<#C…>` channel links. */
  channels?: Record<string, string>;
};

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  warning: '⚠️',
  x: '❌',
  robot_face: '🤖',
  large_green_circle: '🟢',
  red_circle: '🔴',
  grey_question: '❔',
  no_entry_sign: '🚫',
  information_source: 'ℹ️',
  repeat: '🔁',
  raising_hand: '🙋',
  calendar: '📆',
  ghost: '👻',
  hourglass_flowing_sand: '⏳',
  checkered_flag: '🏁',
  studio_microphone: '🎙️',
  lock: '🔒',
  email: '📧',
  envelope: '✉️',
  email_sent: '📤',
  clock1: '🕐',
  tada: '🎉',
  eyes: '👀',
  memo: '📝',
  link: '🔗',
  bust_in_silhouette: '👤',
};

function emoji(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (m, name: string) =>
    EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : m,
  );
}

const ORDINAL = (n: number) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};

/** Slack's `<!date^unix^format|fallback>` tokens rendered in `timeZone`. */
function formatSlackDate(unix: number, format: string, timeZone: string): string {
  const d = new Date(unix * 1000);
  const part = (o: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone, ...o }).format(d);
  const day = Number(part({ day: 'numeric' }));
  const month = part({ month: 'long' });
  const year = part({ year: 'numeric' });
  const tokens: Record<string, string> = {
    date_num: new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(d),
    date: `${month} ${ORDINAL(day)}, ${year}`,
    date_short: `${part({ month: 'short' })} ${day}, ${year}`,
    date_long: `${part({ weekday: 'long' })}, ${month} ${ORDINAL(day)}, ${year}`,
    date_pretty: `${month} ${ORDINAL(day)}, ${year}`,
    date_short_pretty: `${part({ month: 'short' })} ${day}, ${year}`,
    date_long_pretty: `${part({ weekday: 'long' })}, ${month} ${ORDINAL(day)}, ${year}`,
    time: part({ hour: 'numeric', minute: '2-digit' }),
    time_secs: part({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
  };
  return format.replace(/\{([a-z_]+)\}/g, (m, t: string) => tokens[t] ?? m);
}

function decodeSlackEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** One `<…>` special of mrkdwn, as HTML. */
function special(inner: string, o: TRenderOptions): string {
  const [target = '', label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(label ?? o.users?.[id] ?? id)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${escapeHtml(label ?? o.channels?.[id] ?? id)}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, unix = '0', format = '{date}'] = target.split('^');
    const n = Number(unix);
    return `<span class="date">${escapeHtml(Number.isFinite(n) ? formatSlackDate(n, format, o.timeZone ?? 'UTC') : (label ?? ''))}</span>`;
  }
  if (target.startsWith('!')) {
    const word = target.slice(1).split('^')[0] ?? '';
    return `<span class="mention">@${escapeHtml(label ?? word)}</span>`;
  }
  const url = decodeSlackEntities(target);
  if (!/^(https?|mailto):/i.test(url)) return escapeHtml(decodeSlackEntities(`<${inner}>`));
  return `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(decodeSlackEntities(label ?? url))}</a>`;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Slack mrkdwn as HTML (safe: all text escaped). */
export function renderMrkdwn(text: string, o: TRenderOptions = {}): string {
  const specials: string[] = [];
  // Only a real '<' starts a special: user text arrives with '<' escaped as &lt;.
  const marked = text.replace(/<([^<>\n]*)>/g, (_m, inner: string) => {
    specials.push(special(inner, o));
    return `\uE000${specials.length - 1}\uE000`;
  });
  let html = escapeHtml(decodeSlackEntities(marked));
  const codes: string[] = [];
  html = html.replace(/```([\s\S]+?)```/g, (_m, c: string) => {
    codes.push(`<pre class="pre">${c}</pre>`);
    return `\uE001${codes.length - 1}\uE001`;
  });
  html = html.replace(/`([^`\n]+)`/g, (_m, c: string) => {
    codes.push(`<code>${c}</code>`);
    return `\uE001${codes.length - 1}\uE001`;
  });
  // Slack formats only at word boundaries: *bold* needs non-word (or start) before and after.
  const fmt = (src: string, ch: string, tag: string) => {
    const c = `\\${ch}`;
    const re = new RegExp(`(^|[^\\w${c}])${c}(?=\\S)([^${c}\\n]*?\\S)${c}(?![\\w${c}])`, 'g');
    return src.replace(re, (_m, pre: string, body: string) => `${pre}<${tag}>${body}</${tag}>`);
  };
  html = fmt(html, '*', 'b');
  html = fmt(html, '_', 'i');
  html = fmt(html, '~', 's');
  html = emoji(html);
  // Block quotes: lines that start with '>' (escaped by now).
  const lines = html.split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const m = /^&gt;\s?(.*)$/.exec(line);
    if (m) quote.push(m[1] ?? '');
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  html = out
    .join('\n')
    .replace(/\n/g, '<br>')
    .replace(/<\/blockquote><br>/g, '</blockquote>');
  html = html.replace(/\uE001(\d+)\uE001/g, (_m, i: string) => codes[Number(i)] ?? '');
  return html.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => specials[Number(i)] ?? '');
}

function textObject(t: Json | undefined, o: TRenderOptions): string {
  if (!t) return '';
  if (t.type === 'mrkdwn') return renderMrkdwn(String(t.text ?? ''), o);
  return emoji(escapeHtml(String(t.text ?? ''))).replace(/\n/g, '<br>');
}

function element(e: Json, o: TRenderOptions): string {
  switch (e.type) {
    case 'button': {
      const cls = `button${e.style === 'primary' ? ' primary' : e.style === 'danger' ? ' danger' : ''}`;
      const label = textObject(e.text, o);
      return e.url
        ? `<a class="${cls}" href="${escapeHtml(String(e.url))}" rel="noopener noreferrer">${label}</a>`
        : `<button class="${cls}" type="button" data-action-id="${escapeHtml(String(e.action_id ?? ''))}">${label}</button>`;
    }
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      const initial = e.initial_option ? textObject(e.initial_option.text, o) : '';
      const options = (e.options ?? (e.option_groups ?? []).flatMap((g: Json) => g.options ?? [])) as Json[];
      return `<span class="select">${initial || `<span class="placeholder">${textObject(e.placeholder, o) || 'Select an option'}</span>`}<span class="caret">▾</span></span>${
        options.length > 0
          ? `<span class="hint">${options.length} option${options.length === 1 ? '' : 's'}</span>`
          : ''
      }`;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'number_input':
    case 'url_text_input':
      return e.multiline
        ? `<span class="textarea">${escapeHtml(String(e.initial_value ?? '')) || `<span class="placeholder">${textObject(e.placeholder, o)}</span>`}</span>`
        : `<span class="input">${escapeHtml(String(e.initial_value ?? '')) || `<span class="placeholder">${textObject(e.placeholder, o)}</span>`}</span>`;
    case 'datepicker':
      return `<span class="input">📅 ${escapeHtml(String(e.initial_date ?? '')) || textObject(e.placeholder, o)}</span>`;
    case 'timepicker':
      return `<span class="input">🕐 ${escapeHtml(String(e.initial_time ?? '')) || textObject(e.placeholder, o)}</span>`;
    case 'checkboxes':
    case 'radio_buttons':
      return `<span class="choices">${((e.options ?? []) as Json[])
        .map((op) => {
          const on = (e.initial_options ?? [e.initial_option]).some(
            (i: Json | undefined) => i?.value === op.value,
          );
          return `<label><span class="box">${on ? '☑' : '☐'}</span> ${textObject(op.text, o)}</label>`;
        })
        .join('')}</span>`;
    case 'image':
      return `<img class="ctx-img" alt="${escapeHtml(String(e.alt_text ?? ''))}" src="${escapeHtml(String(e.image_url ?? ''))}">`;
    case 'overflow':
      return '<span class="button">⋯</span>';
    case 'mrkdwn':
    case 'plain_text':
      return textObject(e, o);
    default:
      return `<span class="unknown">[${escapeHtml(String(e.type))}]</span>`;
  }
}

/** Blocks of a message or a view, as HTML. */
function renderBlocks(blocks: readonly Json[], o: TRenderOptions = {}): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'header':
          return `<div class="block header">${textObject(b.text, o)}</div>`;
        case 'section': {
          const text = b.text ? `<div class="text">${textObject(b.text, o)}</div>` : '';
          const fields = b.fields
            ? `<div class="fields">${(b.fields as Json[]).map((f) => `<div class="field">${textObject(f, o)}</div>`).join('')}</div>`
            : '';
          const accessory = b.accessory ? `<div class="accessory">${element(b.accessory, o)}</div>` : '';
          return `<div class="block section"><div class="main">${text}${fields}</div>${accessory}</div>`;
        }
        case 'context':
          return `<div class="block context">${((b.elements ?? []) as Json[]).map((e) => `<span class="ctx">${element(e, o)}</span>`).join('')}</div>`;
        case 'divider':
          return '<hr class="block divider">';
        case 'actions':
          return `<div class="block actions">${((b.elements ?? []) as Json[]).map((e) => element(e, o)).join('')}</div>`;
        case 'input':
          return `<div class="block input-block"><div class="label">${textObject(b.label, o)}${b.optional ? ' <span class="optional">(optional)</span>' : ''}</div>${element(b.element ?? {}, o)}${b.hint ? `<div class="hint">${textObject(b.hint, o)}</div>` : ''}</div>`;
        case 'image':
          return `<div class="block image"><img alt="${escapeHtml(String(b.alt_text ?? ''))}" src="${escapeHtml(String(b.image_url ?? ''))}"></div>`;
        case 'rich_text':
        case 'markdown':
          return `<div class="block section"><div class="text">${escapeHtml(String(b.text ?? '[rich text]'))}</div></div>`;
        default:
          return `<div class="block unknown">[${escapeHtml(String(b.type))} block]</div>`;
      }
    })
    .join('\n');
}

const BLOCK_KIT_CSS = `
*{box-sizing:border-box}body{margin:0;background:#fff;font:15px/1.46668 "Lato","Slack-Lato",-apple-system,"Segoe UI","Helvetica Neue",Helvetica,Arial,"DejaVu Sans","Noto Color Emoji",sans-serif;color:#1d1c1d}
.pane{max-width:760px;margin:0 auto;padding:16px 0}
.pane-title{font-weight:900;font-size:18px;padding:8px 20px 12px;border-bottom:1px solid #e8e8e8}
.msg{display:flex;gap:8px;padding:8px 20px}.msg:hover{background:#f8f8f8}
.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:900;display:flex;align-items:center;justify-content:center;flex:none}
.avatar.user{background:#1264a3}
.body{flex:1;min-width:0}.meta{margin-bottom:2px}.name{font-weight:900}.app{font-size:10px;background:#e8e8e8;color:#616061;border-radius:2px;padding:1px 3px;margin-left:4px;vertical-align:1px;font-weight:700}
.time{color:#616061;font-size:12px;margin-left:6px}.edited{color:#616061;font-size:12px}
.thread-label{padding:12px 20px 4px;color:#616061;font-size:13px;border-top:1px solid #e8e8e8;margin-top:8px}
.block{margin:4px 0}.header{font-weight:900;font-size:18px;line-height:1.33}
.section{display:flex;gap:12px}.section .main{flex:1;min-width:0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px}
.context{color:#616061;font-size:13px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.divider{border:0;border-top:1px solid #e8e8e8;margin:12px 0}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}
.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-family:inherit;font-size:13px;font-weight:700;line-height:20px;color:#1d1c1d;background:#fff;text-decoration:none;cursor:pointer}
.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}.button.danger{color:#e01e5a;border-color:#e01e5a}
blockquote{margin:4px 0;padding:0 0 0 12px;border-left:4px solid #ddd}
code{font:12px Monaco,Menlo,"DejaVu Sans Mono",monospace;background:#f6f6f6;border:1px solid #e8e8e8;border-radius:3px;padding:1px 3px;color:#e01e5a}
.pre{font:12px Monaco,Menlo,"DejaVu Sans Mono",monospace;background:#f8f8f8;border:1px solid #e8e8e8;border-radius:4px;padding:8px;white-space:pre-wrap}
a{color:#1264a3;text-decoration:none}.mention{color:#1264a3;background:#e8f5fa;border-radius:3px;padding:0 2px}
.emoji{font-family:"Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji",sans-serif}
.modal{max-width:520px;margin:24px auto;border-radius:8px;box-shadow:0 0 0 1px rgba(0,0,0,.13),0 18px 48px rgba(0,0,0,.35)}
.modal-title{font-weight:900;font-size:22px;padding:20px 28px;border-bottom:1px solid #e8e8e8}.modal-body{padding:12px 28px}
.modal-foot{display:flex;justify-content:flex-end;gap:8px;padding:16px 28px;border-top:1px solid #e8e8e8}
.label{font-weight:700;margin-bottom:4px}.optional{font-weight:400;color:#616061}.hint{color:#616061;font-size:13px;margin-top:4px}
.input,.select,.textarea{display:flex;justify-content:space-between;border:1px solid #bbb;border-radius:4px;padding:8px 10px;min-height:40px;width:100%}
.textarea{min-height:80px}.placeholder{color:#868686}.caret{color:#616061}.choices label{display:block}
`;

export type TRenderedMessage = {
  author: string;
  isApp?: boolean;
  /** Slack ts (seconds.micro). */
  ts: string;
  text?: string;
  blocks?: Json[];
  isEdited?: boolean;
};

function messageHtml(m: TRenderedMessage, o: TRenderOptions): string {
  const time = formatSlackDate(Math.floor(Number(m.ts)), '{time}', o.timeZone ?? 'UTC');
  const content =
    m.blocks && m.blocks.length > 0
      ? renderBlocks(m.blocks, o)
      : `<div class="text">${renderMrkdwn(m.text ?? '', o)}</div>`;
  return `<div class="msg"><div class="avatar${m.isApp ? '' : ' user'}">${escapeHtml(m.author.slice(0, 1).toUpperCase())}</div><div class="body"><div class="meta"><span class="name">${escapeHtml(m.author)}</span>${m.isApp ? '<span class="app">APP</span>' : ''}<span class="time">${escapeHtml(time)}</span>${m.isEdited ? ' <span class="edited">(edited)</span>' : ''}</div>${content}</div></div>`;
}

/** A whole page: a channel message and, under it, its thread replies. */
export function renderThreadPage(input: {
  title: string;
  root: TRenderedMessage;
  replies: TRenderedMessage[];
  options?: TRenderOptions;
}): string {
  const o = input.options ?? {};
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${BLOCK_KIT_CSS}</style></head><body><div class="pane"><div class="pane-title">${escapeHtml(input.title)}</div>${messageHtml(input.root, o)}${
    input.replies.length > 0
      ? `<div class="thread-label">${input.replies.length} repl${input.replies.length === 1 ? 'y' : 'ies'}</div>${input.replies.map((r) => messageHtml(r, o)).join('')}`
      : ''
  }</div></body></html>`;
}
