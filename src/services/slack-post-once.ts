/**
 * Posting a Slack message once across crashes. chat.postMessage has no idempotency key, and a
 * worker killed after Slack accepted a post but before it recorded the post would post it again on
 * its rerun (fault suite, worker-kill). So a post is recorded (SlackPost, by a key naming what it
 * is) *before* it is made, carries the key in its message metadata, and its ts is stored after. A
 * rerun that finds the record without a ts looks for its message in the channel, or the thread,
 * by that metadata before posting.
 *
 * Needs the `*:history` scopes (channels, groups, im) to look; without them, or if Slack's search
 * fails, the rerun posts again (at least once beats never).
 */
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { TFaultPoint } from '../infra/fault-points.js';
import type { Logger } from '../infra/logger.js';

/** Slack message metadata event type on every post made through postOnce. */
export const POST_EVENT_TYPE = 'panelist_post';

export type TPostMessage = { text: string; blocks?: KnownBlock[] | undefined };

type TMeta = { event_type: string; event_payload: Record<string, string> };

export type TPostOnceInput = {
  /** What this post is, unique for ever: e.g. `link-dm:<interviewId>:r1`. */
  key: string;
  interviewId?: string | undefined;
  /** Where it goes (a DM channel id for DMs: resolve it before, so a rerun searches there). */
  channel: string;
  threadTs?: string | undefined;
  message: TPostMessage;
  /** Extra metadata (e.g. the scheduling message's own event type); the post key is added. */
  metadata?: TMeta | undefined;
  /** Makes the post; default chat.postMessage. Returns where it landed. */
  post?: (args: {
    channel: string;
    threadTs?: string | undefined;
    message: TPostMessage;
    metadata: TMeta;
  }) => Promise<{
    ts?: string | undefined;
    channel?: string | undefined;
  }>;
};

type TDeps = { prisma: PrismaClient; slack: WebClient; logger: Logger; faultPoint?: TFaultPoint | undefined };

export async function postOnce(
  deps: TDeps,
  input: TPostOnceInput,
): Promise<{ ts?: string; channel?: string }> {
  const existing = await deps.prisma.slackPost.findUnique({ where: { key: input.key } });
  if (existing?.ts) return { ts: existing.ts, ...(existing.channel ? { channel: existing.channel } : {}) };
  if (existing) {
    const ts = await findPost(
      deps,
      existing.channel ?? input.channel,
      input.threadTs,
      input.key,
      existing.createdAt,
    );
    if (ts) {
      await deps.prisma.slackPost.update({ where: { key: input.key }, data: { ts, postedAt: new Date() } });
      return { ts, channel: existing.channel ?? input.channel };
    }
  } else {
    // createMany + skipDuplicates: a concurrent run that recorded it first is not an error.
    await deps.prisma.slackPost.createMany({
      data: [{ key: input.key, interviewId: input.interviewId ?? null, channel: input.channel }],
      skipDuplicates: true,
    });
  }
  const metadata: TMeta = {
    event_type: input.metadata?.event_type ?? POST_EVENT_TYPE,
    event_payload: { ...input.metadata?.event_payload, post_key: input.key },
  };
  const post =
    input.post ??
    (async (a) => {
      const res = await deps.slack.chat.postMessage({
        channel: a.channel,
        ...(a.threadTs ? { thread_ts: a.threadTs } : {}),
        text: a.message.text,
        ...(a.message.blocks ? { blocks: a.message.blocks } : {}),
        metadata: a.metadata,
        unfurl_links: false,
      });
      return { ts: res.ts, channel: res.channel };
    });
  const posted = await post({
    channel: input.channel,
    threadTs: input.threadTs,
    message: input.message,
    metadata,
  });
  if (posted.ts) {
    // Fault suite: a crash here leaves a post Slack accepted with no ts recorded; the rerun finds it.
    await deps.faultPoint?.('slack.after_posting');
    await deps.prisma.slackPost.update({
      where: { key: input.key },
      data: { ts: posted.ts, channel: posted.channel ?? input.channel, postedAt: new Date() },
    });
  }
  return { ...(posted.ts ? { ts: posted.ts } : {}), channel: posted.channel ?? input.channel };
}

async function findPost(
  deps: TDeps,
  channel: string,
  threadTs: string | undefined,
  key: string,
  since: Date,
): Promise<string | undefined> {
  // Slack's clock and ours may differ a little; a minute of slack costs nothing.
  const oldest = String(Math.floor(since.getTime() / 1000) - 60);
  try {
    const res = threadTs
      ? await deps.slack.conversations.replies({
          channel,
          ts: threadTs,
          oldest,
          include_all_metadata: true,
          limit: 200,
        })
      : await deps.slack.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 });
    for (const m of res.messages ?? []) {
      const meta = (m as { metadata?: { event_payload?: Record<string, unknown> } }).metadata;
      if (meta?.event_payload?.post_key === key && m.ts) return m.ts;
    }
  } catch (err) {
    deps.logger.warn(
      { key, err: { message: (err as Error).message } },
      'could not look for an earlier post; posting again',
    );
  }
  return undefined;
}
