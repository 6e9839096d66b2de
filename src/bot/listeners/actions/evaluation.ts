/**
 * Buttons on the evaluation post. View transcript is a URL button: Slack opens the link and
 * still sends an action, which only needs an ack. Re-evaluate and Request human review ack
 * first, then do their (small) work. Advance, Decline and Undo are the person's decision.
 */
import type { BlockButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  buildDecisionModal,
  DECISION_MODAL,
  EVALUATION_ACTIONS,
} from '../../../block-kit/evaluation-messages.js';
import type { TDecisionAction } from '../../../domain/decision.js';
import { isAppError } from '../../../domain/errors.js';
import {
  decisionSubject,
  recordDecision,
  type TDecisionResult,
} from '../../../services/evaluation/decision.js';
import { requestHumanReview, requestReevaluation } from '../../../services/evaluation/thread-actions.js';
import type { TBotDeps } from '../../deps.js';
import { replyToClicker } from '../../reply.js';
import type { TListenerApp } from '../route-listeners.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(app: TListenerApp, deps: TBotDeps): void {
  registerDecisions(app, deps);
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

const ZDecisionMetadata = z.object({
  i: z.string().regex(UUID),
  v: z.number().int().min(0),
  a: z.enum(['advance', 'decline']),
  c: z.string().nullable().optional(),
  t: z.string().nullable().optional(),
});

/** Tells the person what a click changed (nothing, or refused), only to them. */
async function sayToDecider(
  client: WebClient,
  where: { channel: string | null | undefined; threadTs: string | null | undefined; user: string },
  text: string,
): Promise<void> {
  if (!where.channel) return;
  await client.chat
    .postEphemeral({
      channel: where.channel,
      user: where.user,
      text,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
    })
    .catch(() => undefined);
}

function unchangedText(result: TDecisionResult, action: TDecisionAction): string | undefined {
  if (result.outcome === 'refused') return result.reason;
  if (result.outcome !== 'unchanged') return undefined;
  if (action === 'undo') return 'There is no decision to undo.';
  const d = result.decision;
  return d ? `Already ${d.outcome} by <@${d.userId}>; nothing new was recorded.` : 'Nothing was recorded.';
}

/**
 * Advance and Decline open a small modal for an optional reason; its submission records the
 * decision. Undo (on the decision's thread note) records at once, after Slack's own confirm.
 */
export function registerDecisions(app: TListenerApp, deps: TBotDeps): void {
  for (const action of ['advance', 'decline'] as const) {
    app.action<BlockButtonAction>(
      EVALUATION_ACTIONS[action],
      async ({ ack, action: button, body, client }) => {
        await ack();
        const [interviewId = '', versionText = ''] = (button.value ?? '').split('|');
        const version = Number(versionText);
        if (!UUID.test(interviewId) || !Number.isInteger(version)) return;
        try {
          // Slack gives the trigger_id 3 s: one indexed read, then the modal.
          const candidateName = await decisionSubject(deps, interviewId);
          if (candidateName === undefined) return;
          await client.views.open({
            trigger_id: body.trigger_id,
            view: buildDecisionModal({
              action,
              interviewId,
              version,
              candidateName,
              channelId: body.channel?.id,
              threadTs: body.message?.thread_ts ?? body.message?.ts,
            }),
          });
        } catch (err) {
          deps.logger.error(
            { err: { message: (err as Error).message }, interviewId },
            'decision modal failed',
          );
          await replyToClicker(
            client,
            body,
            'Panelist could not open the decision form. Try again in a moment.',
          );
        }
      },
    );
  }

  app.view<ViewSubmitAction>(DECISION_MODAL.callbackId, async ({ ack, view, body, client }) => {
    const meta = ZDecisionMetadata.safeParse(safeJson(view.private_metadata));
    if (!meta.success) {
      await ack();
      return;
    }
    const reason = view.state.values[DECISION_MODAL.reasonBlock]?.[DECISION_MODAL.reasonAction]?.value ?? '';
    await ack();
    const { i: interviewId, v: version, a: action, c: channel, t: threadTs } = meta.data;
    const where = { channel, threadTs, user: body.user.id };
    try {
      const result = await recordDecision(
        { ...deps, slack: client },
        {
          interviewId,
          userId: body.user.id,
          action,
          reason,
          evaluationVersion: version > 0 ? version : undefined,
        },
      );
      const say = unchangedText(result, action);
      if (say) await sayToDecider(client, where, say);
    } catch (err) {
      await sayToDecider(client, where, decisionFailure(deps, err, interviewId, 'record'));
    }
  });

  app.action<BlockButtonAction>(EVALUATION_ACTIONS.undo, async ({ ack, action, body, client }) => {
    await ack();
    const interviewId = action.value ?? '';
    if (!UUID.test(interviewId)) return;
    try {
      const result = await recordDecision(
        { ...deps, slack: client },
        { interviewId, userId: body.user.id, action: 'undo' },
      );
      const say = unchangedText(result, 'undo');
      if (say) await replyToClicker(client, body, say);
    } catch (err) {
      await replyToClicker(client, body, decisionFailure(deps, err, interviewId, 'undo'));
    }
  });
}

/** What the clicker is told when a decision or its undo fails; a server-side failure is logged. */
function decisionFailure(
  deps: Pick<TBotDeps, 'logger'>,
  err: unknown,
  interviewId: string,
  verb: 'record' | 'undo',
): string {
  if (isAppError(err) && err.status < 500) return err.publicMessage;
  deps.logger.error(
    { err: { message: (err as Error).message }, interviewId },
    verb === 'record' ? 'decision failed' : 'undo failed',
  );
  return `Panelist could not ${verb} the decision just now. Try again in a moment.`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
