/**
 * manifest.yml against the code: it parses, every Web API method the code calls is covered by a bot
 * scope it asks for, it asks for no scope the code does not need, and its slash commands and event
 * subscriptions are exactly the ones the bot listens to. The methods are found by a static scan of
 * src/ (the emulator and signing helpers under src/dev are not the app).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The bot scopes each method needs (api.slack.com/methods/<method>, "Required scopes"). Where Slack
 * wants one scope per conversation type, the list names the types Panelist works in.
 */
const SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write', 'chat:write.public'], // .public: channels the bot was not invited to
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.open': ['im:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
  'users.info': ['users:read'],
  'views.open': [],
  'views.push': [],
  'views.update': [],
  'views.publish': [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory())
      return ['dev', 'local', 'generated'].includes(name) ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const sources = sourceFiles(path.join(ROOT, 'src')).map((file) => ({
  file: path.relative(ROOT, file),
  text: readFileSync(file, 'utf8'),
}));

function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const pattern =
    /\.(auth|chat|conversations|users|views|team|reactions|files|pins|usergroups|bots|apps|dnd|emoji|search|reminders)\.([a-zA-Z]+)\(/g;
  for (const { file, text } of sources) {
    for (const m of text.matchAll(pattern)) {
      const method = `${m[1]}.${m[2]}`;
      found.set(method, [...(found.get(method) ?? []), file]);
    }
    for (const m of text.matchAll(/apiCall\(\s*'([a-z]+\.[a-zA-Z.]+)'/g)) {
      found.set(m[1]!, [...(found.get(m[1]!) ?? []), file]);
    }
  }
  return found;
}

type TManifest = {
  features: { slash_commands?: Array<{ command: string; url: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url?: string };
  };
};

const manifest = parse(readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8')) as TManifest;

describe('manifest.yml', () => {
  const methods = calledMethods();

  it('the scan finds the calls the bot is known to make', () => {
    for (const m of ['chat.postMessage', 'chat.update', 'views.open', 'views.publish', 'users.info'])
      expect(methods.has(m), m).toBe(true);
  });

  it('knows the scopes of every Web API method the code calls', () => {
    const unknown = [...methods.keys()].filter((m) => !(m in SCOPES));
    expect(unknown, `add these methods and their scopes to SCOPES: ${unknown.join(', ')}`).toEqual([]);
  });

  it('asks for exactly the bot scopes the code needs', () => {
    const needed = new Set<string>();
    for (const method of methods.keys()) for (const scope of SCOPES[method] ?? []) needed.add(scope);
    if ((manifest.features.slash_commands ?? []).length > 0) needed.add('commands');
    // users.info returns profile.email only with users:read.email; invites use it as Reply-To.
    if (sources.some((s) => /profile\?*\.email/.test(s.text))) needed.add('users:read.email');
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('declares the slash commands and events the bot listens to, all on /slack/events', () => {
    const commands = new Set<string>();
    const events = new Set<string>();
    for (const { text } of sources) {
      for (const m of text.matchAll(/app\.command\(\s*'([^']+)'/g)) commands.add(m[1]!);
      for (const m of text.matchAll(/app\.event\(\s*'([^']+)'/g)) events.add(m[1]!);
    }
    const declared = manifest.features.slash_commands ?? [];
    expect(declared.map((c) => c.command).sort()).toEqual([...commands].sort());
    expect([...(manifest.settings.event_subscriptions?.bot_events ?? [])].sort()).toEqual([...events].sort());
    const urls = [
      ...declared.map((c) => c.url),
      manifest.settings.event_subscriptions?.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ];
    for (const url of urls) expect(url).toBe('https://YOUR-PUBLIC-HOST/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});
