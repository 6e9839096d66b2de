/**
 * The candidate page's scripts, bundled from the TypeScript in ./client by
 * esbuild when the portal starts (about 0.1 s) and kept in memory for the life
 * of the process. Built here rather than by a separate build step so that a
 * fresh clone's `npm start`, the Docker image (which runs the sources with
 * tsx) and the tests all serve the same code, with no build to forget. The
 * client's type check is `tsc -p src/portal/client` (in `npm run typecheck`).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRIES = {
  /** The lobby and the room. */
  'interview.js': './client/main.ts',
  /** The microphone's AudioWorklet (a worklet is loaded from its own URL). */
  'pcm-worklet.js': './client/audio/pcm-worklet.ts',
} as const;

let bundles: Promise<Map<string, Buffer>> | null = null;

async function buildAll(): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await Promise.all(
    Object.entries(ENTRIES).map(async ([name, entry]) => {
      const result = await build({
        entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
        bundle: true,
        write: false,
        // The worklet is a classic script in its own global scope; the page script is a module.
        format: name === 'interview.js' ? 'esm' : 'iife',
        platform: 'browser',
        // Browsers candidates use today; Safari 15 is the oldest with what the room needs.
        target: ['chrome100', 'firefox100', 'safari15'],
        minify: true,
        legalComments: 'none',
        logLevel: 'silent',
      });
      const file = result.outputFiles[0];
      if (!file) throw new Error(`esbuild produced no output for ${entry}`);
      out.set(name, Buffer.from(file.contents));
    }),
  );
  return out;
}

/** The bundled scripts by asset name; built once per process (a failed build is retried). */
export function clientBundles(): Promise<Map<string, Buffer>> {
  bundles ??= buildAll();
  bundles.catch(() => {
    bundles = null;
  });
  return bundles;
}

export const CLIENT_ASSETS: readonly string[] = Object.keys(ENTRIES);
