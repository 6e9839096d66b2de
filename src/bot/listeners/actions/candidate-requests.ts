/**
 * The buttons on a candidate's request in the recruiter's thread (issue 14): Offer a human
 * interview, Grant accommodation (opens a small dialog: extra minutes, typed answers only), and
 * Put on / Release legal hold on a deletion request (workspace admins only). Each acks first;
 * the services make every decision once, whatever the clicks.
 */
import type { BlockButtonAction } from '@slack/bolt';
import type { View } from '@slack/types';
import { ACCOMMODATION_MODAL, CANDIDATE_REQUEST_ACTIONS } from '../../../block-kit/candidate-requests.js';
import { metadata, plain, readMetadata } from '../../../block-kit/common.js';
import { isAppError } from '../../../domain/errors.js';
import { escapeMrkdwn } from '../../../domain/escape.js';
import { setLegalHold } from '../../../services/candidate/deletion.js';
import {
  accommodationDefaults,
  grantAccommodation,
  MAX_EXTRA_MINUTES,
  offerHumanInterview,
  type TDecision,
} from '../../../services/candidate/requests.js';
import type { TBotDeps } from '../../deps.js';
import { replyToClicker } from '../../reply.js';
import { readInput, type TViewState } from '../../view-state.js';
import type { TListenerApp } from '../route-listeners.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTRA_CHOICES = [0, 10, 15, 20, 30, 45, 60, 90, 120].filter((m) => m <= MAX_EXTRA_MINUTES);

export function buildAccommodationModal(input: {
  requestId: string;
  candidateName: string;
  extraMinutes: number;
  typedAnswersOnly: boolean;
}): View {
  const extraOption = (m: number) => ({
    text: plain(m === 0 ? 'No extra time' : `${m} minutes`),
    value: String(m),
  });
  const initial = EXTRA_CHOICES.includes(input.extraMinutes) ? input.extraMinutes : 0;
  const typedOption = { text: plain('Answers are typed only (no microphone)'), value: 'typed' };
  return {
    type: 'modal',
    callback_id: ACCOMMODATION_MODAL.callbackId,
    private_metadata: metadata({ requestId: input.requestId }),
    title: plain('Grant accommodation', 24),
    submit: plain('Grant', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Applies to *${escapeMrkdwn(input.candidateName)}*'s AI interview: the extra time lengthens the interview and its timer; typed-only turns the microphone off.`,
        },
      },
      {
        type: 'input',
        block_id: ACCOMMODATION_MODAL.extra,
        label: plain('Extra time', 2000),
        element: {
          type: 'static_select',
          action_id: ACCOMMODATION_MODAL.extra,
          options: EXTRA_CHOICES.map(extraOption),
          initial_option: extraOption(initial),
        },
      },
      {
        type: 'input',
        block_id: ACCOMMODATION_MODAL.typed,
        optional: true,
        label: plain('Answer mode', 2000),
        element: {
          type: 'checkboxes',
          action_id: ACCOMMODATION_MODAL.typed,
          options: [typedOption],
          ...(input.typedAnswersOnly ? { initial_options: [typedOption] } : {}),
        },
      },
    ],
  };
}

function decisionReply(d: TDecision): string | undefined {
  if (d.outcome === 'already_decided') return 'This request was already decided; nothing changed.';
  if (d.outcome === 'not_possible') return d.reason;
  return undefined;
}

export function register(app: TListenerApp, deps: TBotDeps): void {
  app.action<BlockButtonAction>(
    CANDIDATE_REQUEST_ACTIONS.offerHuman,
    async ({ ack, action, body, client }) => {
      await ack();
      const requestId = action.value ?? '';
      if (!UUID.test(requestId)) return;
      try {
        const d = await offerHumanInterview({ ...deps, slack: client }, { requestId, userId: body.user.id });
        const say = decisionReply(d);
        if (say) await replyToClicker(client, body, say);
      } catch (err) {
        deps.logger.error(
          { err: { message: (err as Error).message }, requestId },
          'offer of a human interview failed',
        );
        await replyToClicker(
          client,
          body,
          'Panelist could not cancel the AI interview just now. Try again in a moment.',
        );
      }
    },
  );

  app.action<BlockButtonAction>(
    CANDIDATE_REQUEST_ACTIONS.grantAccommodation,
    async ({ ack, action, body, client }) => {
      await ack();
      const requestId = action.value ?? '';
      if (!UUID.test(requestId)) return;
      // Slack gives a trigger_id 3 s: one small query, then the dialog.
      const defaults = await accommodationDefaults(deps.prisma, requestId);
      if (!defaults) return;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildAccommodationModal({ requestId, ...defaults }),
      });
    },
  );

  app.view(ACCOMMODATION_MODAL.callbackId, async ({ ack, view, body, client }) => {
    const { requestId } = readMetadata<{ requestId: string }>(view.private_metadata);
    const values = view.state.values as TViewState;
    const extraMinutes = Number(readInput(values, ACCOMMODATION_MODAL.extra) || '0');
    const typed = view.state.values[ACCOMMODATION_MODAL.typed]?.[ACCOMMODATION_MODAL.typed] as
      | { selected_options?: Array<{ value: string }> }
      | undefined;
    const typedAnswersOnly = (typed?.selected_options ?? []).some((o) => o.value === 'typed');
    if (!requestId || !UUID.test(requestId)) {
      await ack({
        response_action: 'errors',
        errors: { [ACCOMMODATION_MODAL.extra]: 'This form is out of date.' },
      });
      return;
    }
    if (!Number.isInteger(extraMinutes) || !EXTRA_CHOICES.includes(extraMinutes)) {
      await ack({
        response_action: 'errors',
        errors: { [ACCOMMODATION_MODAL.extra]: 'Pick an amount of extra time.' },
      });
      return;
    }
    await ack();
    try {
      const d = await grantAccommodation(
        { ...deps, slack: client },
        { requestId, userId: body.user.id, extraMinutes, typedAnswersOnly },
      );
      const say = decisionReply(d);
      if (say)
        await client.chat
          .postEphemeral({ channel: body.user.id, user: body.user.id, text: say })
          .catch(() => undefined);
    } catch (err) {
      deps.logger.error(
        { err: { message: (err as Error).message }, requestId },
        'accommodation grant failed',
      );
    }
  });

  for (const [actionId, hold] of [
    [CANDIDATE_REQUEST_ACTIONS.legalHold, true],
    [CANDIDATE_REQUEST_ACTIONS.releaseHold, false],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      const requestId = action.value ?? '';
      if (!UUID.test(requestId)) return;
      try {
        const result = await setLegalHold(
          { ...deps, slack: client },
          { requestId, userId: body.user.id, hold },
        );
        if (result === 'unchanged')
          await replyToClicker(
            client,
            body,
            hold ? 'It is already on legal hold.' : 'There is no legal hold to release.',
          );
      } catch (err) {
        if (isAppError(err) && err.status < 500) {
          await replyToClicker(client, body, err.publicMessage);
          return;
        }
        deps.logger.error(
          { err: { message: (err as Error).message }, requestId },
          'legal hold change failed',
        );
        await replyToClicker(
          client,
          body,
          'Panelist could not change the legal hold just now. Try again in a moment.',
        );
      }
    });
  }
}
