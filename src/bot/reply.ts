/** Replies only the clicking user sees, in the thread the button was in. */
import type { BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

export async function replyToClicker(
  client: WebClient,
  body: BlockButtonAction,
  text: string,
): Promise<void> {
  const channel = body.channel?.id;
  if (!channel) return;
  await client.chat
    .postEphemeral({
      channel,
      user: body.user.id,
      text,
      ...(body.message?.thread_ts ? { thread_ts: body.message.thread_ts } : {}),
    })
    .catch(() => undefined);
}
