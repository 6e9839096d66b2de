/**
 * .env.example is the operator's reference: every variable the configuration reads is in it with a
 * comment, and everything in it is read by the configuration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const configSource = readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8');

/** Variables in .env.example, each with the comment lines right above it. */
function documented(): Map<string, string> {
  const vars = new Map<string, string>();
  let comment: string[] = [];
  for (const line of example.split('\n')) {
    if (line.startsWith('#')) comment.push(line.replace(/^#\s?/, ''));
    else if (/^[A-Z][A-Z0-9_]*=/.test(line)) {
      vars.set(line.slice(0, line.indexOf('=')), comment.join(' '));
      // A comment covers the variables right under it (e.g. "Unset both: …" for a pair).
    } else comment = [];
  }
  return vars;
}

/** The keys of ZEnv in src/config.ts, the only place the environment is read. */
function configured(): string[] {
  const body = configSource.slice(
    configSource.indexOf('const ZEnv = z.object({'),
    configSource.indexOf('});'),
  );
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

describe('.env.example', () => {
  it('lists exactly the variables the configuration reads, each under a comment', () => {
    const vars = documented();
    expect([...vars.keys()].sort()).toEqual(configured().sort());
    for (const [name, comment] of vars) expect(comment.length, `${name} has no comment`).toBeGreaterThan(10);
  });

  it('parses as a valid configuration as it is (a local run)', () => {
    const env: Record<string, string> = {};
    for (const line of example.split('\n')) {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!;
    }
    const config = loadConfig(env);
    expect(config.slack.mode).toBe('local');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.ai.baseUrl).toBeUndefined();
  });
});
