/**
 * Slash commands. Each acks at once (Slack allows 3 s) and then opens its modal,
 * after yielding to the acks of the requests that arrived with it.
 */
import { normalizeEmail } from '../../../domain/email-address.js';
import type { TBotDeps } from '../../deps.js';
import { openScheduleModal, openView, slotsModal } from '../../modals.js';
import type { PendingAcks } from '../../pending-acks.js';
import type { TListenerApp } from '../route-listeners.js';

export function register(app: TListenerApp, deps: TBotDeps, acks: PendingAcks): void {
  app.command('/schedule-interview', async ({ ack, command, client, logger }) => {
    await ack();
    await acks.yieldToAcks();
    const arg = (command.text.trim().split(/\s+/)[0] ?? '').replace(/^<mailto:([^|>]+)(\|[^>]*)?>$/, '$1');
    const email = arg ? (normalizeEmail(arg) ?? undefined) : undefined;
    // Not an address: keep what was typed in the field and say so, rather than dropping it.
    const badEmail = arg && !email ? arg.slice(0, 254) : undefined;
    try {
      await openScheduleModal(client, deps, acks, {
        triggerId: command.trigger_id,
        userId: command.user_id,
        channelId: command.channel_id,
        email: email ?? badEmail,
        isEmailInvalid: badEmail !== undefined,
      });
    } catch (err) {
      logger.error(`schedule modal failed: ${(err as Error).message}`);
      await respondError(client, command.channel_id, command.user_id, err);
    }
  });

  app.command('/interview-slots', async ({ ack, command, client, logger }) => {
    await ack();
    await acks.yieldToAcks();
    try {
      await openView(client, command.trigger_id, await slotsModal(client, deps, command.user_id));
    } catch (err) {
      logger.error(`slots modal failed: ${(err as Error).message}`);
      await respondError(client, command.channel_id, command.user_id, err);
    }
  });
}

async function respondError(
  client: import('@slack/web-api').WebClient,
  channel: string,
  user: string,
  err: unknown,
): Promise<void> {
  const expired = /expired_trigger_id/.test(String((err as Error).message));
  await client.chat
    .postEphemeral({
      channel,
      user,
      text: expired
        ? 'Slack gave up waiting for the form (it allows 3 seconds). Please run the command again.'
        : 'Panelist could not open the form: a service it needs is not answering. Please try again in a moment.',
    })
    .catch(() => undefined);
}
