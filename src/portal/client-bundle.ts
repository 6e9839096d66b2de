/**
 * The candidate page's script, bundled from the TypeScript in ./client by
 * esbuild when the portal starts (about 0.1 s), kept in memory for the life of
 * the process. Built here rather than by a separate build step so that a fresh
 * clone's `npm start`, the Docker image (which runs the sources with tsx) and
 * the tests all serve the same code without a build to forget. The type check
 * of the client is `tsc -p src/portal/client` (part of `npm run typecheck`).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

let bundle: Promise<Buffer> | null = null;

/** The bundled script (ES module, minified); built once per process. */
export function clientBundle(): Promise<Buffer> {
  bundle ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    // Browsers candidates use today; Safari 15 is the oldest with what the room needs.
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((r) => {
    const out = r.outputFiles[0];
    if (!out) throw new Error('esbuild produced no output for the candidate page script');
    return Buffer.from(out.contents);
  });
  // A failed build is retried on the next request instead of being cached.
  bundle.catch(() => {
    bundle = null;
  });
  return bundle;
}
