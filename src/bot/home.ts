/** Publishing App Home: one of its interview lists, each interview linked to its thread and transcript. */
import type { WebClient } from '@slack/web-api';
import { buildHome, type THomeListName } from '../block-kit/home.js';
import { homeInterviews } from '../services/booking/home-lists.js';
import { listRoles } from '../services/booking/roles.js';
import { listOpenSlots } from '../services/booking/slots.js';
import type { TBotDeps } from './deps.js';

/** A message's permalink never changes: asked of Slack once per process (bounded). */
const permalinks = new Map<string, string>();
const PERMALINK_CACHE_MAX = 5000;

async function threadLink(client: WebClient, channel: string, ts: string | null): Promise<string | null> {
  if (!ts) return null;
  const key = `${channel}:${ts}`;
  const known = permalinks.get(key);
  if (known) return known;
  try {
    const res = await client.chat.getPermalink({ channel, message_ts: ts });
    if (!res.permalink) return null;
    if (permalinks.size >= PERMALINK_CACHE_MAX) permalinks.delete(permalinks.keys().next().value!);
    permalinks.set(key, res.permalink);
    return res.permalink;
  } catch {
    // The message is gone or the channel unreadable: the line shows without a link.
    return null;
  }
}

export async function publishHome(
  client: WebClient,
  deps: TBotDeps,
  userId: string,
  list: THomeListName = 'upcoming',
): Promise<void> {
  const now = deps.now();
  const [interviews, roles, open] = await Promise.all([
    homeInterviews(deps, now, list),
    listRoles(deps, 50),
    listOpenSlots(deps.prisma, now, { limit: 1 }),
  ]);
  const threadUrls = await Promise.all(interviews.map((i) => threadLink(client, i.channelId, i.threadTs)));
  await client.views.publish({
    user_id: userId,
    view: buildHome({
      list,
      interviews: interviews.map((i, n) => ({ ...i, threadUrl: threadUrls[n] ?? null })),
      roles: roles.map((r) => ({
        id: r.id,
        title: r.title,
        competencyCount: Array.isArray(r.competencies) ? r.competencies.length : 0,
      })),
      openSlots: open.total,
    }),
  });
}
