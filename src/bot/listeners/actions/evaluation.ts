/**
 * Buttons on the evaluation post. View transcript is a URL button: Slack opens the link and
 * still sends an action, which only needs an ack. Re-evaluate and Request human review ack
 * first, then do their (small) work.
 */
import type { BlockButtonAction } from '@slack/bolt';
import { EVALUATION_ACTIONS } from '../../../block-kit/evaluation-messages.js';
import { isAppError } from '../../../domain/errors.js';
import { requestHumanReview, requestReevaluation } from '../../../services/evaluation/thread-actions.js';
import type { TBotDeps } from '../../deps.js';
import { replyToClicker } from '../../reply.js';
import type { TListenerApp } from '../route-listeners.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(app: TListenerApp, deps: TBotDeps): void {
  app.action<BlockButtonAction>(EVALUATION_ACTIONS.viewTranscript, async ({ ack }) => {
    await ack();
  });

  app.action<BlockButtonAction>(EVALUATION_ACTIONS.reevaluate, async ({ ack, action, body, client }) => {
    await ack();
    const interviewId = action.value ?? '';
    if (!UUID.test(interviewId)) return;
    try {
      await requestReevaluation({ ...deps, slack: client }, { interviewId, userId: body.user.id });
    } catch (err) {
      await replyToClicker(
        client,
        body,
        isAppError(err) && err.status < 500
          ? err.publicMessage
          : 'Panelist could not start a re-evaluation just now. Try again in a moment.',
      );
      if (!isAppError(err) || err.status >= 500)
        deps.logger.error(
          { err: { message: (err as Error).message }, interviewId },
          're-evaluation request failed',
        );
    }
  });

  app.action<BlockButtonAction>(EVALUATION_ACTIONS.requestReview, async ({ ack, action, body, client }) => {
    await ack();
    const [interviewId = '', versionText = ''] = (action.value ?? '').split('|');
    const version = Number(versionText);
    if (!UUID.test(interviewId) || !Number.isInteger(version) || version < 1) return;
    try {
      const isFirst = await requestHumanReview(
        { ...deps, slack: client },
        { interviewId, version, userId: body.user.id },
      );
      if (!isFirst)
        await replyToClicker(client, body, 'You already asked for a human review of this evaluation.');
    } catch (err) {
      deps.logger.error(
        { err: { message: (err as Error).message }, interviewId },
        'human review request failed',
      );
      await replyToClicker(
        client,
        body,
        'Panelist could not record the review request just now. Try again in a moment.',
      );
    }
  });
}
