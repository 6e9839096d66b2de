/** The Retry email button under an email failure warning in the interview's thread. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { retryEmail } from '../../../services/email/retry-email.js';
import { EMAIL_RETRY_ACTION, parseRetryValue } from '../../../services/email/slack-notes.js';
import type { TBotDeps } from '../../deps.js';
import type { TListenerApp } from '../route-listeners.js';

export function register(app: TListenerApp, deps: TBotDeps): void {
  app.action<BlockAction<ButtonAction>>(EMAIL_RETRY_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const target = parseRetryValue(action.value ?? '');
    const channel = body.channel?.id ?? body.container?.channel_id;
    const threadTs = body.message?.thread_ts ?? body.message?.ts;
    if (!target) {
      deps.logger.warn({ actionId: EMAIL_RETRY_ACTION }, 'malformed email retry value');
      return;
    }
    let text: string;
    try {
      text = (await retryEmail({ ...target, requestedBy: body.user.id }, deps)).message;
    } catch (err) {
      deps.logger.error(
        { err: { message: (err as Error).message }, interviewId: target.interviewId },
        'email retry failed',
      );
      text = 'Panelist could not queue the email again just now. Try the button again in a moment.';
    }
    if (channel) {
      await client.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), text });
    }
  });
}
