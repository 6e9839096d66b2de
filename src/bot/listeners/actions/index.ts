/** Buttons on the bot's messages, modals and App Home. Each acks first. */
import type { BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS } from '../../../block-kit/booking-messages.js';
import { readMetadata } from '../../../block-kit/common.js';
import { HOME } from '../../../block-kit/home.js';
import { buildRoleModal, ROLE } from '../../../block-kit/role-modal.js';
import { buildRescheduleModal, SCHEDULE } from '../../../block-kit/schedule-modal.js';
import { SLOTS } from '../../../block-kit/slots-modal.js';
import { escapeMrkdwn } from '../../../domain/escape.js';
import { enqueueEmail } from '../../../infra/queue/jobs/email.js';
import { cancelInterview } from '../../../services/booking/cancel-interview.js';
import { findInterview, findInterviewWithCandidate } from '../../../services/booking/interviews.js';
import { mayManageInterview, notAllowedText } from '../../../services/booking/may-manage.js';
import { findRole, formatCompetencies } from '../../../services/booking/roles.js';
import { postInThread, refreshRootMessage } from '../../../services/booking/scheduling-message.js';
import { closeSlot, listOpenSlots } from '../../../services/booking/slots.js';
import type { TBotDeps } from '../../deps.js';
import { publishHome } from '../../home.js';
import { openScheduleModal, slotsModal } from '../../modals.js';
import type { PendingAcks } from '../../pending-acks.js';
import { recruiterProfile } from '../../recruiter.js';
import { replyToClicker } from '../../reply.js';
import { isUuid } from '../../view-state.js';
import type { TListenerApp } from '../route-listeners.js';

export function register(app: TListenerApp, deps: TBotDeps, acks: PendingAcks): void {
  app.action<BlockButtonAction>(ACTION_IDS.cancel, async ({ ack, action, body, client, logger }) => {
    await ack();
    const interviewId = action.value ?? '';
    const current = isUuid(interviewId) ? await findInterview(deps, interviewId) : null;
    if (!current) return;
    if (!mayManageInterview(deps.config, current, body.user.id)) {
      await replyToClicker(client, body, notAllowedText(current, 'cancel'));
      return;
    }
    const result = await cancelInterview(interviewId, { actor: `slack:${body.user.id}` }, deps);
    const interview = await findInterview(deps, interviewId);
    if (!interview) return;
    if (result.outcome === 'not_cancellable') {
      await replyToClicker(
        client,
        body,
        `This interview is already ${result.status.replace('_', ' ')}; nothing was changed.`,
      );
      return;
    }
    await refreshRootMessage(interviewId, { prisma: deps.prisma, slack: client });
    await postInThread(
      interview,
      {
        text: `:x: Cancelled by <@${escapeMrkdwn(body.user.id)}>. The seat is free again and the candidate's link no longer works.`,
      },
      client,
    );
    try {
      await enqueueEmail(deps.queues, { interviewId, kind: 'cancel', revision: result.revision });
    } catch (err) {
      logger.warn(`cancellation email not queued: ${(err as Error).message}`);
      await postInThread(
        interview,
        {
          text: ':warning: The cancellation email could not be queued (the job queue is not answering). Please tell the candidate yourself.',
        },
        client,
      );
    }
  });

  app.action<BlockButtonAction>(ACTION_IDS.reschedule, async ({ ack, action, body, client }) => {
    await ack();
    const interview = isUuid(action.value ?? '')
      ? await findInterviewWithCandidate(deps, action.value ?? '')
      : null;
    if (interview && !mayManageInterview(deps.config, interview, body.user.id)) {
      await replyToClicker(client, body, notAllowedText(interview, 'reschedule'));
      return;
    }
    if (!interview || interview.status !== 'scheduled') {
      await replyToClicker(
        client,
        body,
        `This interview is ${interview?.status.replace('_', ' ') ?? 'gone'} and can no longer be rescheduled.`,
      );
      return;
    }
    const [profile, open] = await Promise.all([
      recruiterProfile(client, body.user.id),
      listOpenSlots(deps.prisma, deps.now(), { limit: 100, excludeSlotId: interview.slotId }),
    ]);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildRescheduleModal({
        interviewId: interview.id,
        fromRevision: interview.revision,
        candidateName: interview.candidate.name,
        recruiterTz: profile.tz,
        slots: open.slots,
        totalSlots: open.total,
      }),
    });
  });

  app.action<BlockButtonAction>(SLOTS.close, async ({ ack, action, body, client }) => {
    await ack();
    const outcome = await closeSlot(action.value ?? '', body.user.id, deps).catch(() => 'missing' as const);
    const notice = outcome === 'closed' ? ':lock: Slot closed.' : 'That slot was already closed.';
    if (body.view) {
      await client.views
        .update({
          view_id: body.view.id,
          hash: body.view.hash,
          view: await slotsModal(client, deps, body.user.id, notice),
        })
        .catch(async () => {
          // Someone changed the view meanwhile (hash_conflict): update without the hash.
          await client.views.update({
            view_id: body.view!.id,
            view: await slotsModal(client, deps, body.user.id, notice),
          });
        });
    }
  });

  // Opening another modal from a modal pushes it on the stack; from a message or Home, opens it.
  app.action<BlockButtonAction>(SCHEDULE.newRole, async ({ ack, body, client }) => {
    await ack();
    const parent = body.view?.callback_id === SCHEDULE.callbackId ? body.view : undefined;
    const channelId = readMetadata<{ channelId: string }>(parent?.private_metadata).channelId;
    await pushOrOpen(
      client,
      body,
      buildRoleModal(undefined, parent ? { channelId: channelId ?? body.user.id } : undefined),
    );
  });

  app.action<BlockButtonAction>(ROLE.edit, async ({ ack, action, body, client }) => {
    await ack();
    const role = await findRole(deps, action.value ?? '');
    if (!role) return;
    await pushOrOpen(
      client,
      body,
      buildRoleModal({
        id: role.id,
        title: role.title,
        description: role.description,
        competencies: formatCompetencies(role.competencies),
        questions: Array.isArray(role.questions) ? (role.questions as string[]).join('\n') : '',
        questionCount: role.questionCount,
      }),
    );
  });

  app.action<BlockButtonAction>(SCHEDULE.addSlots, async ({ ack, body, client }) => {
    await ack();
    await pushOrOpen(client, body, await slotsModal(client, deps, body.user.id));
  });

  // App Home's list buttons: the same Home, published again with the other list.
  app.action<BlockButtonAction>(new RegExp(`^${HOME.list}_`), async ({ ack, action, body, client }) => {
    await ack();
    await publishHome(client, deps, body.user.id, action.value === 'decision' ? 'decision' : 'upcoming');
  });

  app.action<BlockButtonAction>(HOME.slots, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: await slotsModal(client, deps, body.user.id),
    });
  });

  app.action<BlockButtonAction>(HOME.schedule, async ({ ack, body, client }) => {
    await ack();
    await openScheduleModal(client, deps, acks, {
      triggerId: body.trigger_id,
      userId: body.user.id,
      channelId: body.user.id,
    });
  });
}

async function pushOrOpen(client: WebClient, body: BlockButtonAction, view: import('@slack/types').View) {
  if (body.view && body.view.type === 'modal') await client.views.push({ trigger_id: body.trigger_id, view });
  else await client.views.open({ trigger_id: body.trigger_id, view });
}
