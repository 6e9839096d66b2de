// The local Slack stand-in's page. It plays the recruiter: every command, click and submission goes
// to the stand-in's JSON endpoints, which send Panelist the signed requests Slack would. The page
// re-renders from the emulated workspace once a second. All HTML it inserts was rendered (and
// escaped) by the server; text it builds itself goes through textContent.

const BASE = '/dev/slack/ui';
const $ = (id) => document.getElementById(id);

const ui = {
  channel: 'C_RECRUITING',
  channelLabel: '# recruiting',
  tab: 'channel',
  thread: null,
  modalKey: null,
  homeKey: null,
  html: { messages: null, thread: null, outbox: null },
  busy: 0,
};

async function post(path, body) {
  ui.busy++;
  try {
    const res = await fetch(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.message || `HTTP ${res.status}`);
    return json;
  } finally {
    ui.busy--;
  }
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
}

function setHtml(key, el, html) {
  if (ui.html[key] === html) return false;
  ui.html[key] = html;
  el.innerHTML = html;
  return true;
}

// ---- state -------------------------------------------------------------------------------------

async function refresh() {
  const q = new URLSearchParams({ channel: ui.channel, tab: ui.tab });
  if (ui.thread) q.set('thread', ui.thread);
  const res = await fetch(`${BASE}/state?${q}`);
  if (!res.ok) return;
  const state = await res.json();
  renderChannels(state.channels);
  const list = $('command-list');
  if (list.childElementCount === 0) {
    for (const c of state.commands) {
      const o = document.createElement('option');
      o.value = c;
      list.append(o);
    }
  }
  const messages = $('messages');
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  if (
    setHtml(
      'messages',
      messages,
      state.messages ||
        '<p class="empty">No messages yet. New here? Press <b>Try a demo interview</b> below: it books a demo candidate into a slot starting now and gives you their link.</p>',
    ) &&
    atBottom
  )
    messages.scrollTop = messages.scrollHeight;
  if (ui.thread) setHtml('thread', $('thread'), state.thread);
  renderHome(state.home);
  if (state.outbox) renderOutbox(state.outbox);
  renderModal(state.modal);
}

function renderChannels(channels) {
  const ul = $('channels');
  const key = JSON.stringify(channels) + ui.channel + ui.tab;
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.replaceChildren(
    ...channels.map((c) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `nav${ui.tab === 'channel' && ui.channel === c.id ? ' active' : ''}`;
      b.dataset.channel = c.id;
      b.textContent = c.label;
      li.append(b);
      return li;
    }),
  );
}

function renderHome(home) {
  const el = $('home');
  if (!home) {
    if (ui.homeKey !== 'none') el.innerHTML = '<p class="empty">Opening the Home tab…</p>';
    ui.homeKey = 'none';
    return;
  }
  if (home.key === ui.homeKey) return;
  ui.homeKey = home.key;
  el.innerHTML = home.html;
}

function renderOutbox(emails) {
  const key = JSON.stringify(emails.map((e) => e.file));
  if (ui.html.outbox === key) return;
  ui.html.outbox = key;
  const el = $('outbox');
  if (emails.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No emails yet. Invitations appear here when you schedule an interview.';
    el.replaceChildren(p);
    return;
  }
  el.replaceChildren(
    ...emails.map((e) => {
      const card = document.createElement('article');
      card.className = 'email';
      const h = document.createElement('h3');
      h.textContent = e.subject;
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = `To ${e.to.join(', ')} · ${e.when}${e.hasCalendar ? ' · calendar invite attached' : ''}`;
      const links = document.createElement('div');
      links.className = 'links';
      for (const href of e.links) {
        if (!/^https?:\/\//.test(href)) continue;
        const a = document.createElement('a');
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.className = href.includes('/interview') ? 'btn primary candidate-link' : 'link';
        a.textContent = href.includes('/interview') ? 'Open the candidate link' : href;
        links.append(a);
      }
      const download = document.createElement('a');
      download.href = `${BASE}/outbox/eml?file=${encodeURIComponent(e.file)}`;
      download.download = e.file;
      download.className = 'link';
      download.textContent = 'Download .eml';
      links.append(download);
      const body = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'Show the email';
      body.append(summary);
      if (e.hasHtml) {
        // The HTML part as a mail program shows it, in a frame that can run nothing.
        const frame = document.createElement('iframe');
        frame.setAttribute('sandbox', '');
        frame.title = `HTML of “${e.subject}”`;
        frame.className = 'email-html';
        frame.loading = 'lazy';
        frame.src = `${BASE}/outbox/html?file=${encodeURIComponent(e.file)}`;
        body.append(frame);
      }
      const textTitle = document.createElement('h4');
      textTitle.textContent = 'Plain-text part';
      const pre = document.createElement('pre');
      pre.textContent = e.text;
      body.append(textTitle, pre);
      if (e.calendar) {
        const calTitle = document.createElement('h4');
        calTitle.textContent = 'Calendar part (.ics)';
        const cal = document.createElement('pre');
        cal.className = 'calendar';
        cal.textContent = e.calendar;
        body.append(calTitle, cal);
      }
      card.append(h, meta, links, body);
      return card;
    }),
  );
}

// ---- modals ------------------------------------------------------------------------------------

function renderModal(modal) {
  const overlay = $('overlay');
  if (!modal) {
    if (ui.modalKey !== null) {
      ui.modalKey = null;
      overlay.hidden = true;
      overlay.replaceChildren();
    }
    return;
  }
  if (modal.key === ui.modalKey) return;
  ui.modalKey = modal.key;
  overlay.innerHTML = modal.html;
  overlay.hidden = false;
  for (const ext of overlay.querySelectorAll('.external')) setUpExternal(ext);
  const first = overlay.querySelector('input, textarea, select');
  if (first) first.focus();
}

function modalViewId() {
  return $('overlay').querySelector('.modal')?.dataset.viewId;
}

function setUpExternal(ext) {
  const input = ext.querySelector('.external-query');
  const select = ext.querySelector('.external-options');
  let timer;
  const load = async () => {
    const keep = select.value ? { value: select.value, text: select.selectedOptions[0]?.textContent } : null;
    const { options } = await post('/options', {
      viewId: modalViewId(),
      blockId: ext.dataset.blockId,
      actionId: ext.dataset.actionId,
      value: input.value,
    });
    // One match for what was typed is picked, as a click on it would; several leave the choice to
    // the user ("Choose…"), so a forgotten pick is asked for on submit rather than guessed.
    const single = input.value && options.length === 1 ? options[0].value : null;
    const items = options.map((o) => {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.text;
      return opt;
    });
    if (keep && !single && !options.some((o) => o.value === keep.value)) {
      const opt = document.createElement('option');
      opt.value = keep.value;
      opt.textContent = keep.text;
      items.unshift(opt);
    }
    if (items.length === 0) {
      const opt = document.createElement('option');
      opt.value = '';
      opt.textContent = 'No matches';
      items.push(opt);
    } else if (!keep && !single) {
      const opt = document.createElement('option');
      opt.value = '';
      opt.textContent = options.length > 1 && input.value ? `Choose… (${options.length} matches)` : 'Choose…';
      items.unshift(opt);
    }
    select.replaceChildren(...items);
    if (single) select.value = single;
    else if (keep) select.value = keep.value;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((e) => toast(e.message)), 250);
  });
  if (Number(ext.dataset.minQuery) === 0) load().catch((e) => toast(e.message));
}

const TEXT_TYPES = new Set([
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'datepicker',
  'timepicker',
]);

/** What the user entered, as { blockId: { actionId: value } } (the stand-in fills view.state). */
function collectValues(root) {
  const values = {};
  for (const el of root.querySelectorAll('[data-action-id][data-type]')) {
    const type = el.dataset.type;
    let value;
    if (TEXT_TYPES.has(type)) value = el.value === '' ? null : el.value;
    else if (type === 'static_select') value = el.value === '' ? null : el.value;
    else if (type === 'multi_static_select') value = [...el.selectedOptions].map((o) => o.value);
    else if (type === 'external_select') {
      const select = el.querySelector('select');
      value = select.value ? { value: select.value, text: select.selectedOptions[0].textContent } : null;
    } else if (type === 'checkboxes') value = [...el.querySelectorAll('input:checked')].map((i) => i.value);
    else if (type === 'radio_buttons') value = el.querySelector('input:checked')?.value ?? null;
    else continue;
    values[el.dataset.blockId] ??= {};
    values[el.dataset.blockId][el.dataset.actionId] = value;
  }
  return values;
}

function showErrors(errors) {
  const modal = $('overlay').querySelector('.modal');
  for (const el of modal.querySelectorAll('.b-error.client')) el.remove();
  for (const el of modal.querySelectorAll('.has-error')) el.classList.remove('has-error');
  let first;
  for (const [blockId, message] of Object.entries(errors || {})) {
    const control = modal.querySelector(`[data-block-id="${CSS.escape(blockId)}"]`);
    const box = control?.closest('.b-input') ?? control?.parentElement;
    if (!box) {
      toast(message);
      continue;
    }
    box.classList.add('has-error');
    const div = document.createElement('div');
    div.className = 'b-error client';
    div.setAttribute('role', 'alert');
    div.textContent = message;
    box.append(div);
    first ??= box;
  }
  first?.scrollIntoView({ block: 'center' });
}

async function submitModal() {
  const viewId = modalViewId();
  const modal = $('overlay').querySelector('.modal');
  const button = modal.querySelector('[data-modal="submit"]');
  button.disabled = true;
  try {
    const result = await post('/submit', { viewId, values: collectValues(modal) });
    if (!result.ok) toast(result.message);
    else if (result.action === 'errors') showErrors(result.errors);
    else if (result.action === 'invalid') toast('Panelist answered with a view Slack would refuse.');
  } catch (e) {
    toast(e.message);
  } finally {
    button.disabled = false;
  }
  await refresh();
}

// ---- actions -----------------------------------------------------------------------------------

async function act(el) {
  if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) {
    if (el.tagName === 'SELECT') el.value = '';
    return;
  }
  const modal = el.closest('.modal');
  const message = el.closest('.message');
  const type = el.dataset.type;
  const body = { blockId: el.dataset.blockId, actionId: el.dataset.actionId };
  if (type === 'button') {
    if (el.tagName === 'A') {
      // A link button opens its URL and still tells the app (Slack sends block_actions too).
    }
  } else if (type === 'external_select') {
    const select = el.querySelector('select');
    body.selection = select.value;
    body.selectionText = select.selectedOptions[0]?.textContent ?? select.value;
  } else if (type === 'multi_static_select') body.selection = [...el.selectedOptions].map((o) => o.value);
  else if (type === 'checkboxes')
    body.selection = [...el.querySelectorAll('input:checked')].map((i) => i.value);
  else if (type === 'radio_buttons') body.selection = el.querySelector('input:checked')?.value;
  else body.selection = el.value;
  if (modal) {
    body.viewId = modal.dataset.viewId;
    body.values = collectValues(modal);
  } else if (message) {
    body.channel = ui.channel;
    body.ts = message.dataset.ts;
  } else if (el.closest('#home')) {
    body.viewId = $('home').querySelector('[data-view-id]')?.dataset.viewId ?? ui.homeKey.split(':')[0];
  }
  try {
    await post('/action', body);
  } catch (e) {
    toast(e.message);
  }
  setTimeout(refresh, 300);
}

async function runCommand(line) {
  const match = /^(\/[a-z0-9_-]+)\s*([\s\S]*)$/.exec(line.trim());
  if (!match) {
    toast('Only slash commands work here: Panelist does not read channel messages. Try /schedule-interview.');
    return;
  }
  showTab('channel');
  try {
    await post('/command', { command: match[1], text: match[2], channel: ui.channel });
  } catch (e) {
    toast(e.message);
  }
  setTimeout(refresh, 200);
}

/** "Try a demo interview": the server books it through the real form; the link comes back. */
async function runDemo(button) {
  showTab('channel');
  if (ui.channel.startsWith('D')) {
    ui.channel = 'C_RECRUITING';
    ui.channelLabel = '# recruiting';
    ui.html.messages = null;
  }
  button.disabled = true;
  button.textContent = 'Booking the demo…';
  try {
    const result = await post('/demo', { channel: ui.channel });
    showDemoLink(result);
  } catch (e) {
    toast(e.message);
  } finally {
    button.disabled = false;
    button.textContent = 'Try a demo interview';
  }
  await refresh();
}

function showDemoLink(result) {
  const box = $('demo-ready');
  const a = box.querySelector('a');
  a.href = result.link;
  box.querySelector('.when').textContent = result.when;
  box.hidden = false;
  a.focus();
}

function showTab(tab) {
  ui.tab = tab;
  $('messages').hidden = tab !== 'channel';
  $('home').hidden = tab !== 'home';
  $('outbox').hidden = tab !== 'outbox';
  $('composer').hidden = tab === 'outbox';
  for (const b of document.querySelectorAll('.nav[data-tab]'))
    b.classList.toggle('active', b.dataset.tab === tab);
  $('title').textContent =
    tab === 'home' ? 'Panelist · Home' : tab === 'outbox' ? 'Outbox · emails Panelist sent' : ui.channelLabel;
  if (tab !== 'channel') closeThread();
}

function closeThread() {
  ui.thread = null;
  ui.html.thread = null;
  $('thread-pane').hidden = true;
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('button, a');
  if (!target) return;
  if (target.dataset.channel) {
    ui.channel = target.dataset.channel;
    ui.channelLabel = target.textContent;
    ui.html.messages = null;
    closeThread();
    showTab('channel');
  } else if (target.dataset.tab) {
    showTab(target.dataset.tab);
    if (target.dataset.tab === 'home') void post('/home', {}).catch((e) => toast(e.message));
  } else if (target.dataset.openThread) {
    // A permalink (App Home's "Thread"): that channel, with the thread open.
    event.preventDefault();
    ui.channel = target.dataset.openChannel;
    ui.channelLabel =
      document.querySelector(`#channels [data-channel="${CSS.escape(ui.channel)}"]`)?.textContent ??
      ui.channel;
    ui.html.messages = null;
    showTab('channel');
    ui.thread = target.dataset.openThread;
    ui.html.thread = null;
    $('thread-pane').hidden = false;
    void refresh();
  } else if (target.dataset.thread) {
    ui.thread = target.dataset.thread;
    ui.html.thread = null;
    $('thread-pane').hidden = false;
  } else if (target.id === 'thread-close') closeThread();
  else if (target.dataset.command) void runCommand(target.dataset.command);
  else if (target.id === 'demo') void runDemo(target);
  else if (target.id === 'demo-dismiss') $('demo-ready').hidden = true;
  else if (target.dataset.modal === 'submit') void submitModal();
  else if (target.dataset.modal === 'close') {
    void post('/close', { viewId: modalViewId() })
      .catch((e) => toast(e.message))
      .then(refresh)
      .catch(() => undefined);
  } else if (target.dataset.acts && target.dataset.type === 'button') {
    if (target.tagName !== 'A') event.preventDefault();
    void act(target);
  } else return;
  refresh().catch(() => undefined);
});

// As in Slack, an inline error goes away once the user changes that field.
document.addEventListener('input', (event) => {
  const box = event.target.closest?.('.b-input.has-error');
  if (!box) return;
  box.classList.remove('has-error');
  for (const el of box.querySelectorAll('.b-error')) el.remove();
});

document.addEventListener('change', (event) => {
  if (event.target.id === 'tz') {
    void post('/tz', { tz: event.target.value })
      .then(() => {
        ui.html.messages = null;
        ui.html.thread = null;
        toast(`Your time zone is now ${event.target.value}. Times and new forms use it.`);
        return refresh();
      })
      .catch((e) => toast(e.message));
    return;
  }
  const control = event.target.closest('[data-acts]');
  if (!control || control.dataset.type === 'button') return;
  void act(control);
});

// Escape closes the open modal, as in Slack.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || $('overlay').hidden || !modalViewId()) return;
  event.preventDefault();
  void post('/close', { viewId: modalViewId() })
    .catch((e) => toast(e.message))
    .then(refresh)
    .catch(() => undefined);
});

document.addEventListener('DOMContentLoaded', () => {
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('command');
    const line = input.value;
    input.value = '';
    void runCommand(line);
  });
  refresh().catch(() => undefined);
  setInterval(() => {
    if (ui.busy === 0) refresh().catch(() => undefined);
  }, 1000);
});
