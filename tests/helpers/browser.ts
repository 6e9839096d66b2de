/**
 * Headless Chromium for browser tests, driven by playwright-core (never
 * `playwright install`: it downloads a browser). The fake camera and a
 * microphone fed from a WAV of real speech stand in for the candidate's devices.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** False when Chromium is missing, or when the run's setup found a browser tool missing and said so. */
export function hasChromium(): boolean {
  return process.env.PANELIST_BROWSER_TESTS !== 'skip' && existsSync(CHROMIUM);
}

export async function launchBrowser(opts: { fakeAudioFile?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...(opts.fakeAudioFile ? [`--use-file-for-fake-audio-capture=${opts.fakeAudioFile}`] : []),
    ],
  });
}
