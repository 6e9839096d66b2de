/**
 * A plain HTML rendering of the Block Kit Panelist's bot produces, for the local Slack stand-in:
 * messages (sections, fields, context, headers, dividers, actions) and views (the same, plus input
 * blocks with text/email/number inputs, selects, date and time pickers, checkboxes and radios).
 *
 * Everything from a block is text a user may have typed (a candidate's name, a role, notes), so
 * every string goes through escapeHtml; mrkdwn markup is applied on the escaped text only. Nothing
 * here emits a script or an event handler: the page's JS finds controls by their data-* attributes.
 */
import { escapeHtml } from '../domain/escape.js';
import { formatInZone, zoneLabel } from '../domain/time.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const attr = (value: unknown) => escapeHtml(String(value ?? ''));

/** Slack escapes only &, < and > in mrkdwn; undo those before escaping for HTML. */
function unslack(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function isSafeUrl(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url);
}

/**
 * mrkdwn → HTML, as Slack renders it: `<url|text>` links, `<@U…>` / `<#C…>` / `<!here>` mentions,
 * `<!date^…>` dates, `*bold*`, `_italic_`, `~strike~` (only at word boundaries, so `snake_case`
 * and `2*3*4` stay as typed), `` `code` `` and ```` ```blocks``` ```` (never formatted inside),
 * `>` quotes, `:emoji:`, and `&amp; &lt; &gt;` as the only entities. Only a real `<` starts a
 * special: user text arrives with `<` escaped as `&lt;`, so it can never become markup here.
 */
export function mrkdwnToHtml(text: string): string {
  const specials: string[] = [];
  const marked = text.replace(/<([^<>\n]*)>/g, (_m, inner: string) => {
    specials.push(special(inner));
    return `\uE000${specials.length - 1}\uE000`;
  });
  let html = escapeHtml(unslack(marked));
  const codes: string[] = [];
  const keep = (markup: string) => {
    codes.push(markup);
    return `\uE001${codes.length - 1}\uE001`;
  };
  html = html.replace(/```([\s\S]+?)```/g, (_m, c: string) => keep(`<pre>${c}</pre>`));
  html = html.replace(/`([^`\n]+)`/g, (_m, c: string) => keep(`<code>${c}</code>`));
  const format = (src: string, ch: string, tag: string) => {
    const c = `\\${ch}`;
    const re = new RegExp(`(^|[^\\w${c}])${c}(?=\\S)([^${c}\\n]*?\\S)${c}(?![\\w${c}])`, 'g');
    return src.replace(re, (_m, pre: string, body: string) => `${pre}<${tag}>${body}</${tag}>`);
  };
  html = format(format(format(html, '*', 'b'), '_', 'i'), '~', 's');
  html = html.replace(/:([a-z0-9_+-]+):/g, (all, name: string) => EMOJI[name] ?? all);
  // Quotes: consecutive lines that start with '>' (escaped by now) form one quote.
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote class="quote">${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of html.split('\n')) {
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

function special(token: string): string {
  const [target = '', label] = splitOnce(token, '|');
  if (target.startsWith('!date^')) {
    // <!date^UNIX^format|fallback>: Slack shows it in the reader's zone; inZone() does the same.
    const seconds = Number(target.split('^')[1]);
    const fallback = unslack(label ?? '');
    return Number.isFinite(seconds)
      ? `<time class="slack-date" datetime="${new Date(seconds * 1000).toISOString()}">${escapeHtml(fallback)}</time>`
      : escapeHtml(fallback);
  }
  if (target.startsWith('!'))
    return `<span class="mention">@${escapeHtml(label ?? target.slice(1).split('^')[0] ?? '')}</span>`;
  if (target.startsWith('@'))
    return `<span class="mention">@${escapeHtml(unslack(label ?? target.slice(1)))}</span>`;
  if (target.startsWith('#'))
    return `<span class="mention">#${escapeHtml(unslack(label ?? target.slice(1)))}</span>`;
  const url = unslack(target);
  const shown = escapeHtml(unslack(label ?? target));
  // A Slack permalink (chat.getPermalink) opens that message's thread in the stand-in itself
  // (the emulator's channel ids, such as C_RECRUITING, carry an underscore).
  const permalink = /^https:\/\/[a-z0-9-]+\.slack\.com\/archives\/([A-Z0-9_]+)\/p(\d{10})(\d{6})/.exec(url);
  if (permalink)
    return `<a href="#" class="permalink" data-open-channel="${attr(permalink[1])}" data-open-thread="${attr(`${permalink[2]}.${permalink[3]}`)}">${shown}</a>`;
  if (!isSafeUrl(url)) return shown;
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${shown}</a>`;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** The emoji shortcodes Panelist's messages use (Slack renders these as pictures). */
const EMOJI: Readonly<Record<string, string>> = {
  warning: '⚠️',
  x: '❌',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  hourglass_flowing_sand: '⏳',
  checkered_flag: '🏁',
  grey_question: '❔',
  calendar: '📅',
  studio_microphone: '🎙️',
  robot_face: '🤖',
  repeat: '🔁',
  red_circle: '🔴',
  raising_hand: '🙋',
  no_entry_sign: '🚫',
  no_entry: '⛔',
  lock: '🔒',
  large_green_circle: '🟢',
  information_source: 'ℹ️',
  ghost: '👻',
  envelope: '✉️',
  email: '📧',
  email_sent: '📤',
  memo: '📝',
  star: '⭐',
  tada: '🎉',
  eyes: '👀',
  link: '🔗',
  clock1: '🕐',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  leftwards_arrow_with_hook: '↩️',
  wastebasket: '🗑️',
};

/** A text object (plain_text or mrkdwn) as HTML. */
function textHtml(text: unknown): string {
  if (typeof text === 'string') return escapeHtml(text).replace(/\n/g, '<br>');
  if (!isObject(text)) return '';
  const value = String(text.text ?? '');
  return text.type === 'mrkdwn' ? mrkdwnToHtml(value) : escapeHtml(value).replace(/\n/g, '<br>');
}

const plainOf = (text: unknown) => (isObject(text) ? String(text.text ?? '') : String(text ?? ''));

/** Where a control lives, for the page's JS. */
type TContext = { blockId: string; errors?: Record<string, string> | undefined };

/** The id a label points at (`<label for>`), so the page is usable by role and label. */
function controlId(blockId: string, actionId: unknown): string {
  return `c-${blockId}-${String(actionId)}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function controlAttrs(element: Json, ctx: TContext): string {
  return `data-block-id="${attr(ctx.blockId)}" data-action-id="${attr(element.action_id)}" data-type="${attr(element.type)}"`;
}

function confirmAttrs(element: Json): string {
  const confirm = element.confirm;
  if (!isObject(confirm)) return '';
  const text = [plainOf(confirm.title), plainOf(confirm.text)].filter(Boolean).join('\n\n');
  return ` data-confirm="${attr(text)}"`;
}

function options(element: Json): Json[] {
  const list: Json[] = [];
  if (Array.isArray(element.options)) list.push(...element.options.filter(isObject));
  if (Array.isArray(element.option_groups)) {
    for (const g of element.option_groups)
      if (isObject(g) && Array.isArray(g.options)) list.push(...g.options.filter(isObject));
  }
  return list;
}

function optionTag(o: Json, selected: Set<string>): string {
  const value = String(o.value ?? '');
  return `<option value="${attr(value)}"${selected.has(value) ? ' selected' : ''}>${escapeHtml(plainOf(o.text))}</option>`;
}

/** An interactive element: buttons and menus act at once; inputs hold state until submit. */
function elementHtml(element: unknown, ctx: TContext, isInputBlock = false): string {
  if (!isObject(element)) return '';
  const type = String(element.type);
  const id = isInputBlock ? ` id="${attr(controlId(ctx.blockId, element.action_id))}"` : '';
  const base = controlAttrs(element, ctx) + (type === 'external_select' ? '' : id);
  const placeholder = element.placeholder ? ` placeholder="${attr(plainOf(element.placeholder))}"` : '';
  // Outside an input block, a select acts at once (a block_actions request), as in Slack.
  const acts = isInputBlock && element.dispatch_action !== true ? '' : ' data-acts="1"';
  switch (type) {
    case 'button': {
      if (typeof element.url === 'string' && isSafeUrl(element.url)) {
        return `<a class="btn ${attr(element.style)}" ${base} data-acts="1" data-value="${attr(element.value)}" href="${attr(element.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(plainOf(element.text))}</a>`;
      }
      return `<button type="button" class="btn ${attr(element.style)}" ${base} data-acts="1" data-value="${attr(element.value)}"${confirmAttrs(element)}>${escapeHtml(plainOf(element.text))}</button>`;
    }
    case 'overflow':
    case 'static_select': {
      const initial = isObject(element.initial_option) ? String(element.initial_option.value) : '';
      const first =
        type === 'overflow' ? '⋯' : plainOf(element.placeholder) || (isInputBlock ? 'Choose…' : 'Select');
      return `<select ${base}${acts}${confirmAttrs(element)}><option value="">${escapeHtml(first)}</option>${options(
        element,
      )
        .map((o) => optionTag(o, new Set([initial])))
        .join('')}</select>`;
    }
    case 'multi_static_select': {
      const initial = new Set(
        (Array.isArray(element.initial_options) ? element.initial_options : [])
          .filter(isObject)
          .map((o) => String(o.value)),
      );
      return `<select multiple ${base}${acts}>${options(element)
        .map((o) => optionTag(o, initial))
        .join('')}</select>`;
    }
    case 'external_select': {
      // Options come from the app (block_suggestion); the page asks for them as the user types.
      const initial = isObject(element.initial_option) ? element.initial_option : undefined;
      return `<span class="external" ${base}${acts} data-min-query="${attr(element.min_query_length ?? 3)}"><input type="search" class="external-query"${placeholder} aria-label="Search"><select class="external-options"${id}>${
        initial
          ? `<option value="${attr(initial.value)}" selected>${escapeHtml(plainOf(initial.text))}</option>`
          : '<option value="">Type to search…</option>'
      }</select></span>`;
    }
    case 'plain_text_input':
      return element.multiline
        ? `<textarea ${base}${placeholder} rows="3"${element.max_length ? ` maxlength="${attr(element.max_length)}"` : ''}>${escapeHtml(String(element.initial_value ?? ''))}</textarea>`
        : `<input type="text" ${base}${placeholder} value="${attr(element.initial_value)}"${element.max_length ? ` maxlength="${attr(element.max_length)}"` : ''}>`;
    case 'email_text_input':
      return `<input type="email" ${base}${placeholder} value="${attr(element.initial_value)}">`;
    case 'url_text_input':
      return `<input type="url" ${base}${placeholder} value="${attr(element.initial_value)}">`;
    case 'number_input':
      return `<input type="number" ${base}${placeholder} value="${attr(element.initial_value)}"${
        element.min_value === undefined ? '' : ` min="${attr(element.min_value)}"`
      }${element.max_value === undefined ? '' : ` max="${attr(element.max_value)}"`}${
        element.is_decimal_allowed ? ' step="any"' : ' step="1"'
      }>`;
    case 'datepicker':
      return `<input type="date" ${base} value="${attr(element.initial_date)}">`;
    case 'timepicker':
      return `<input type="time" ${base} value="${attr(element.initial_time)}">`;
    case 'checkboxes':
    case 'radio_buttons': {
      const initial = new Set(
        [
          ...(Array.isArray(element.initial_options) ? element.initial_options : []),
          ...(isObject(element.initial_option) ? [element.initial_option] : []),
        ]
          .filter(isObject)
          .map((o) => String(o.value)),
      );
      const kind = type === 'checkboxes' ? 'checkbox' : 'radio';
      const name = `${ctx.blockId}/${String(element.action_id)}`;
      return `<span class="choices" ${base}${acts}>${options(element)
        .map(
          (o) =>
            `<label><input type="${kind}" name="${attr(name)}" value="${attr(o.value)}"${initial.has(String(o.value)) ? ' checked' : ''}> ${textHtml(o.text)}</label>`,
        )
        .join('')}</span>`;
    }
    case 'image':
      return '';
    default:
      return `<span class="unsupported">[${escapeHtml(type)}]</span>`;
  }
}

/** One block as HTML; unknown block types show their type, so nothing silently disappears. */
export function blockHtml(block: unknown, errors?: Record<string, string>): string {
  if (!isObject(block)) return '';
  const blockId = String(block.block_id ?? '');
  const ctx: TContext = { blockId, errors };
  switch (block.type) {
    case 'header':
      return `<h3 class="b-header">${escapeHtml(plainOf(block.text))}</h3>`;
    case 'divider':
      return '<hr class="b-divider">';
    case 'section': {
      const fields = Array.isArray(block.fields)
        ? `<div class="b-fields">${block.fields.map((f) => `<div>${textHtml(f)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory
        ? `<div class="b-accessory">${elementHtml(block.accessory, ctx)}</div>`
        : '';
      return `<div class="b-section"><div class="b-text">${textHtml(block.text)}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="b-context">${(Array.isArray(block.elements) ? block.elements : [])
        .map((e) => (isObject(e) && e.type === 'image' ? '' : `<span>${textHtml(e)}</span>`))
        .join(' ')}</div>`;
    case 'actions':
      return `<div class="b-actions">${(Array.isArray(block.elements) ? block.elements : [])
        .map((e) => elementHtml(e, ctx))
        .join('')}</div>`;
    case 'input': {
      const error = errors?.[blockId];
      const optional = block.optional ? ' <span class="optional">(optional)</span>' : '';
      return `<div class="b-input${error ? ' has-error' : ''}"><label class="b-label" for="${attr(isObject(block.element) ? controlId(blockId, block.element.action_id) : '')}">${escapeHtml(plainOf(block.label))}${optional}</label>${elementHtml(
        block.element,
        ctx,
        true,
      )}${block.hint ? `<div class="b-hint">${escapeHtml(plainOf(block.hint))}</div>` : ''}${
        error ? `<div class="b-error" role="alert">${escapeHtml(error)}</div>` : ''
      }</div>`;
    }
    case 'image':
      return `<div class="b-context">[image: ${escapeHtml(String(block.alt_text ?? ''))}]</div>`;
    case 'rich_text':
      return `<div class="b-text">${escapeHtml(richTextPlain(block))}</div>`;
    default:
      return `<div class="unsupported">[${escapeHtml(String(block.type))} block]</div>`;
  }
}

function richTextPlain(node: unknown): string {
  if (!isObject(node)) return '';
  if (typeof node.text === 'string') return node.text;
  return Array.isArray(node.elements) ? node.elements.map(richTextPlain).join('') : '';
}

export function blocksHtml(blocks: unknown, errors?: Record<string, string>): string {
  return Array.isArray(blocks) ? blocks.map((b) => blockHtml(b, errors)).join('') : '';
}

/** A modal: title bar, blocks (with inline errors from a `response_action: errors` ack), buttons. */
/**
 * What the user entered (the view's state) shown as the inputs' values, as Slack shows a modal the
 * user comes back to (after a pushed modal closes, or a views.update that kept the inputs).
 */
function withState(view: Json): Json {
  const state = isObject(view.state) && isObject(view.state.values) ? view.state.values : {};
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  return {
    ...view,
    blocks: blocks.map((block: unknown) => {
      if (!isObject(block) || block.type !== 'input' || !isObject(block.element)) return block;
      const kept = (state[String(block.block_id)] as Json | undefined)?.[String(block.element.action_id)];
      if (!isObject(kept)) return block;
      const element: Json = { ...block.element };
      if (typeof kept.value === 'string') element.initial_value = kept.value;
      if (isObject(kept.selected_option)) element.initial_option = kept.selected_option;
      if (Array.isArray(kept.selected_options)) element.initial_options = kept.selected_options;
      if (typeof kept.selected_date === 'string') element.initial_date = kept.selected_date;
      if (typeof kept.selected_time === 'string') element.initial_time = kept.selected_time;
      return { ...block, element };
    }),
  };
}

export function modalHtml(shown: Json, errors?: Record<string, string>): string {
  const view = withState(shown);
  const submit = view.submit ? plainOf(view.submit) : '';
  const close = view.close ? plainOf(view.close) : 'Close';
  return `<div class="modal" role="dialog" aria-modal="true" data-view-id="${attr(view.id)}" aria-label="${attr(plainOf(view.title))}">
<header class="modal-title">${escapeHtml(plainOf(view.title))}</header>
<div class="modal-body">${blocksHtml(view.blocks, errors)}</div>
<footer class="modal-footer"><button type="button" class="btn" data-modal="close">${escapeHtml(close)}</button>${
    submit
      ? `<button type="button" class="btn primary" data-modal="submit">${escapeHtml(submit)}</button>`
      : ''
  }</footer></div>`;
}

/** A message as a chat line: author, time, text (when there are no blocks) or blocks. */
export function messageHtml(
  message: { ts: string; text: string; blocks?: unknown; user: string; bot_id?: string; edited?: unknown },
  author: string,
  extra = '',
): string {
  const time = new Date(Number(message.ts) * 1000);
  const body =
    Array.isArray(message.blocks) && message.blocks.length > 0
      ? blocksHtml(message.blocks)
      : `<div class="b-text">${mrkdwnToHtml(message.text)}</div>`;
  return `<article class="message" data-ts="${attr(message.ts)}"><div class="meta"><b>${escapeHtml(author)}</b>${
    message.bot_id ? ' <span class="app-tag">APP</span>' : ''
  } <time class="stamp" datetime="${time.toISOString()}">${time.toISOString().slice(11, 16)} UTC</time>${
    message.edited ? ' <span class="edited">(edited)</span>' : ''
  }</div>${body}${extra}</article>`;
}

/**
 * Times as the recruiter's own Slack shows them: message stamps and `<!date>` tokens in their zone
 * (the stand-in's users.info `tz`), with the zone named, so one interview reads the same everywhere.
 */
export function inZone(html: string, tz: string): string {
  return html.replace(
    /<time class="(slack-date|stamp)" datetime="([^"]+)">[^<]*<\/time>/g,
    (all, kind: string, iso: string) => {
      const at = new Date(iso);
      if (Number.isNaN(at.getTime())) return all;
      const label = zoneLabel(at, tz);
      const short = label.split(' ')[0];
      const shown = formatInZone(at, tz, kind === 'stamp' ? 'time' : 'datetime');
      return `<time class="${kind}" datetime="${iso}" title="${escapeHtml(`${tz}, ${label}`)}">${escapeHtml(`${shown} ${short}`)}</time>`;
    },
  );
}
