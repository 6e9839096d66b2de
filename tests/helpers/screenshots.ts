/**
 * Where tests write screenshots: test-results/screenshots (ignored by git) on a
 * normal run, so `npm test` leaves the tree clean; docs/screenshots with
 * UPDATE_SCREENSHOTS=1, to refresh the pictures the docs show.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCREENSHOT_DIR = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../../test-results/screenshots/',
    import.meta.url,
  ),
);
mkdirSync(SCREENSHOT_DIR, { recursive: true });
