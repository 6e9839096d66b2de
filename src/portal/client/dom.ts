/** Small DOM helpers shared by the lobby and the room. Elements are looked up by id, once. */

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}: the page and its script are out of step. Reload it.`);
  return el as T;
}

export function maybe<T extends HTMLElement = HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

export function setText(id: string, text: string): void {
  const el = maybe(id);
  if (el) el.textContent = text;
}

export function setStatus(id: string, text: string, tone: '' | 'ok' | 'bad' = ''): void {
  const el = maybe(id);
  if (!el) return;
  el.textContent = text;
  el.className = tone ? `status ${tone}` : 'status';
}

export function show(id: string, visible: boolean): void {
  const el = maybe(id);
  if (el) el.hidden = !visible;
}

export function uid(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function fmtClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
