/** What the bot knows about the person acting: their time zone and email, from users.info. */
import type { WebClient } from '@slack/web-api';
import { isValidTimeZone } from '../domain/time.js';

type TProfile = { tz: string; email: string | undefined; at: number };
const cache = new Map<string, TProfile>();
const inFlight = new Map<string, Promise<TProfile>>();
const TTL_MS = 10 * 60_000;

/**
 * The user's time zone (and email when the app may read it). Cached for ten
 * minutes: a recruiter opening several modals should not wait on Slack each time.
 * Falls back to UTC if Slack does not answer, so a modal still opens.
 */
export async function recruiterProfile(client: WebClient, userId: string): Promise<TProfile> {
  const hit = cache.get(userId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  // Requests from one person arriving together (a double submit, a burst) ask Slack once.
  let lookup = inFlight.get(userId);
  if (!lookup) {
    lookup = fetchProfile(client, userId).finally(() => inFlight.delete(userId));
    inFlight.set(userId, lookup);
  }
  return lookup;
}

async function fetchProfile(client: WebClient, userId: string): Promise<TProfile> {
  try {
    const res = await client.users.info({ user: userId });
    const tz = res.user?.tz && isValidTimeZone(res.user.tz) ? res.user.tz : 'UTC';
    const profile = { tz, email: res.user?.profile?.email ?? undefined, at: Date.now() };
    cache.set(userId, profile);
    if (cache.size > 5000) cache.delete(cache.keys().next().value as string);
    return profile;
  } catch {
    return { tz: 'UTC', email: undefined, at: 0 };
  }
}

/** Slack's user_change event (a profile edit, a new time zone): the next lookup asks again. */
export function forgetRecruiterProfile(userId: string): void {
  cache.delete(userId);
}
