/**
 * The import rules of docs/architecture.md, checked over every source file: which layer may
 * import which, that `domain` and `block-kit` do no I/O, that the three ways in (bot, portal,
 * jobs) never import each other, that only services (and infra/db) touch the database, that
 * nothing in src/ but local mode reaches tools/, and that no files import each other in a circle.
 *
 * Imports are read as text (static `import`/`export … from`, and `import('…')` with a literal
 * path), which is how every file here is written; `ruleBreaks` is exported to the test below
 * that feeds it a bad import, so the check itself is shown to fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

type TLayer =
  | 'domain'
  | 'block-kit'
  | 'infra'
  | 'infra-db'
  | 'services'
  | 'bot'
  | 'portal'
  | 'portal-client'
  | 'portal-protocol'
  | 'jobs'
  | 'ops'
  | 'local'
  | 'local-loader'
  | 'config'
  | 'entry'
  | 'generated'
  | 'tools';

/** The layer of a repository path (forward slashes), or null for what the rules do not cover. */
function layerOf(file: string): TLayer | null {
  if (file.startsWith('tools/')) return 'tools';
  if (!file.startsWith('src/')) return null;
  const p = file.slice(4);
  if (p === 'config.ts') return 'config';
  if (p === 'main.ts' || p === 'start.ts') return 'entry';
  if (p === 'load-local-mode.ts') return 'local-loader';
  if (p === 'portal/protocol.ts') return 'portal-protocol';
  if (p.startsWith('portal/client/')) return 'portal-client';
  if (p.startsWith('infra/db/')) return 'infra-db';
  const top = p.split('/')[0]!;
  const byFolder: Record<string, TLayer> = {
    domain: 'domain',
    'block-kit': 'block-kit',
    infra: 'infra',
    services: 'services',
    bot: 'bot',
    portal: 'portal',
    jobs: 'jobs',
    ops: 'ops',
    local: 'local',
    generated: 'generated',
  };
  const layer = byFolder[top];
  if (!layer) throw new Error(`${file}: no layer for src/${top}; add it to the rules (docs/architecture.md)`);
  return layer;
}

const INFRA: TLayer[] = ['infra', 'infra-db'];
const BELOW_THE_WAYS_IN: TLayer[] = ['domain', 'block-kit', ...INFRA, 'services', 'config', 'generated'];

/** Which layers each layer may import (its own always). */
const MAY_IMPORT: Record<TLayer, TLayer[]> = {
  domain: [],
  'block-kit': ['domain'],
  infra: ['domain', 'config', ...INFRA],
  'infra-db': ['domain', 'config', 'infra', 'generated'],
  services: ['domain', 'block-kit', ...INFRA, 'config', 'generated'],
  bot: BELOW_THE_WAYS_IN,
  portal: [...BELOW_THE_WAYS_IN, 'portal-protocol'],
  'portal-protocol': ['domain'],
  'portal-client': ['domain', 'portal-protocol'],
  jobs: BELOW_THE_WAYS_IN,
  ops: BELOW_THE_WAYS_IN,
  local: [...BELOW_THE_WAYS_IN, 'tools', 'local-loader'],
  'local-loader': ['services'],
  config: ['domain'],
  entry: [...BELOW_THE_WAYS_IN, 'bot', 'portal', 'jobs', 'ops', 'local-loader'],
  generated: [],
  tools: ['domain'],
};

/** Packages and Node modules with no I/O, the only ones `domain` and `block-kit` may use. */
const PURE_PACKAGES = ['zod', 'date-fns', 'date-fns-tz', 'node:crypto', 'node:url', '@slack/types'];

/** Who may read or write the database (Prisma calls): the use cases, the db client, the entry point. */
const MAY_USE_DATABASE: TLayer[] = ['services', 'infra-db', 'entry'];

// A Prisma call: `prisma.<model>.<operation>(` or `prisma.$queryRaw` and the like.
const DATABASE_CALL =
  /\bprisma\s*\.\s*(?:\$(?:queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)\b|[a-z]\w*\s*\.\s*(?:find\w*|create\w*|update\w*|upsert|delete\w*|count|aggregate|groupBy)\s*\()/g;

type TImport = { specifier: string; line: number; isTypeOnly: boolean };

/** The import specifiers of a TypeScript source, with their line numbers. */
function importsOf(source: string): TImport[] {
  const found: TImport[] = [];
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gms,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) {
      const isTypeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0]);
      found.push({ specifier: m[1]!, line: lineAt(m.index), isTypeOnly });
    }
  }
  return found;
}

/** The repository path a relative specifier names (`.js` in a specifier is the `.ts` file). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return joined.replace(/\.js$/, '.ts');
}

function packageName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Every way `file` (repository path) with `source` breaks the rules, as sentences naming the
 * file, the line, what it imports and the rule.
 */
function ruleBreaks(file: string, source: string): string[] {
  const layer = layerOf(file);
  if (layer === null || layer === 'generated') return [];
  const breaks: string[] = [];
  for (const { specifier, line } of importsOf(source)) {
    const target = resolve(file, specifier);
    if (target === null) {
      const pkg = packageName(specifier);
      if ((layer === 'domain' || layer === 'block-kit') && !PURE_PACKAGES.includes(pkg))
        breaks.push(
          `${file}:${line} imports '${specifier}': ${layer} is pure and may use only ${PURE_PACKAGES.join(', ')}`,
        );
      continue;
    }
    if (target.startsWith('tests/') || target.startsWith('bench/') || target.startsWith('scripts/')) {
      breaks.push(`${file}:${line} imports ${target}: the product never imports tests, bench or scripts`);
      continue;
    }
    const to = layerOf(target);
    if (to === null || to === layer) continue;
    if (!MAY_IMPORT[layer].includes(to))
      breaks.push(
        `${file}:${line} imports ${target}: ${layer} may not import ${to} (may: ${MAY_IMPORT[layer].join(', ') || 'only itself'})`,
      );
  }
  if (!MAY_USE_DATABASE.includes(layer)) {
    for (const m of source.matchAll(DATABASE_CALL)) {
      const line = source.slice(0, m.index).split('\n').length;
      const call = m[0].replace(/\s+/g, '');
      breaks.push(
        `${file}:${line} calls the database (${call}): only services and infra/db may; call a service`,
      );
    }
  }
  return breaks;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (rel !== 'src/generated') out.push(...sourceFiles(rel));
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Files that import each other in a loop (Tarjan's strongly connected components). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

const FILES = [...sourceFiles('src'), ...sourceFiles('tools')];
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('import rules (docs/architecture.md)', () => {
  it('every source file keeps its layer’s rules', () => {
    const breaks = FILES.flatMap((f) => ruleBreaks(f, read(f)));
    expect(breaks).toEqual([]);
  });

  it('no files import each other in a circle (type imports too)', () => {
    const graph = new Map<string, string[]>();
    for (const f of FILES) {
      graph.set(
        f,
        // `import type` orders no module loading, but a circle through types still ties two files
        // together: shared types get a file of their own (portal/deps.ts, jobs/deps.ts, jobs/define.ts).
        importsOf(read(f)).flatMap(({ specifier }) => {
          const t = resolve(f, specifier);
          return t ? [t] : [];
        }),
      );
    }
    expect(circles(graph)).toEqual([]);
  });

  it('finds a bad import when there is one (the check can fail)', () => {
    expect(
      ruleBreaks('src/domain/seats.ts', "import { PrismaClient } from '../generated/prisma/client.js';"),
    ).toEqual([
      'src/domain/seats.ts:1 imports src/generated/prisma/client.ts: domain may not import generated (may: only itself)',
    ]);
    expect(ruleBreaks('src/domain/seats.ts', "import Redis from 'ioredis';")[0]).toContain('domain is pure');
    expect(ruleBreaks('src/bot/app.ts', "import { buildPortal } from '../portal/app.js';")[0]).toContain(
      'bot may not import portal',
    );
    expect(ruleBreaks('src/portal/app.ts', 'const n = await deps.prisma.interview.count({});')[0]).toContain(
      'only services and infra/db may',
    );
    expect(
      ruleBreaks(
        'src/services/retention.ts',
        "import { x } from '../../tools/slack-emulator/emulator.js';",
      )[0],
    ).toContain('services may not import tools');
    expect(
      circles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
          ['c.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
