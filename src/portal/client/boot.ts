/** What the server put in the page for the script (the JSON block with id "boot"), and the server's clock. */

export type TBoot = {
  status: 'scheduled' | 'in_progress';
  joinOpensAt: string;
  closesAt: string;
  serverNow: string;
  durationMs: number;
  questionCount: number;
  /** A speech-to-text service is configured: spoken answers can be transcribed. */
  voiceAvailable: boolean;
  /** The candidate asked for typed answers (an accommodation): voice is not offered. */
  typedAnswersOnly?: boolean;
  timeZone: string;
};

function readBoot(): TBoot {
  const el = document.getElementById('boot');
  return JSON.parse(el?.textContent ?? '{}') as TBoot;
}

export const boot: TBoot = readBoot();

export const sessionKey = new URLSearchParams(location.search).get('session_key') ?? '';

// The server's clock decides; this offset keeps the page's countdowns in step with it.
const clockOffset = Date.parse(boot.serverNow) - Date.now();
export const serverNow = (): number => Date.now() + (Number.isFinite(clockOffset) ? clockOffset : 0);

export function fmtLocalTime(iso: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: boot.timeZone }).format(
      new Date(iso),
    );
  } catch {
    return new Date(iso).toLocaleTimeString();
  }
}
