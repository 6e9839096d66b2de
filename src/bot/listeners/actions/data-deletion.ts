/**
 * `/interview-delete candidate@example.com`: a recruiter deletes one candidate's data on request.
 * The command acks at once and opens a confirmation dialog naming the candidate and what will be
 * deleted; submitting it redacts every interview and the candidate's name and email, recorded in
 * the event log with who asked (see services/retention.ts).
 */
import type { View } from '@slack/types';
import { metadata, plain, readMetadata } from '../../../block-kit/common.js';
import { normalizeEmail } from '../../../domain/email-address.js';
import { escapeMrkdwn } from '../../../domain/escape.js';
import { enqueueMaintenanceTask } from '../../../infra/queue/jobs/maintenance.js';
import { deleteCandidateData, describeCandidate } from '../../../services/retention.js';
import type { TBotDeps } from '../../deps.js';
import type { TListenerApp } from '../route-listeners.js';

const DELETE_COMMAND = '/interview-delete';
const DELETE_CALLBACK = 'delete_candidate_data';

function resultView(text: string): View {
  return {
    type: 'modal',
    callback_id: `${DELETE_CALLBACK}_done`,
    title: plain('Delete candidate data', 24),
    close: plain('Close', 24),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

function buildDeleteConfirmModal(input: {
  candidateId: string;
  name: string;
  email: string;
  interviews: number;
}): View {
  const who = `*${escapeMrkdwn(input.name)}* (${escapeMrkdwn(input.email)})`;
  return {
    type: 'modal',
    callback_id: DELETE_CALLBACK,
    private_metadata: metadata({ candidateId: input.candidateId }),
    title: plain('Delete candidate data', 24),
    submit: plain('Delete', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Delete everything Panelist holds about ${who}?\n\nTheir ${input.interviews} interview${
            input.interviews === 1 ? '' : 's'
          }: transcripts, evaluation quotes and notes; then their name and email. Scores and dates stay, without anything that identifies them.`,
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: "This cannot be undone. Panelist's own Slack messages about them are edited to a redacted form. The deletion is recorded in the event log with your name.",
          },
        ],
      },
    ],
  };
}

export function register(app: TListenerApp, deps: TBotDeps): void {
  app.command('/interview-delete', async ({ ack, command, client, logger }) => {
    const arg = command.text.trim().replace(/^<mailto:([^|>]+)(\|[^>]*)?>$/, '$1');
    const email = arg ? normalizeEmail(arg) : null;
    if (!email) {
      await ack({
        response_type: 'ephemeral',
        text: `Usage: \`${DELETE_COMMAND} candidate@example.com\` deletes that candidate's interview data.`,
      });
      return;
    }
    let candidate: Awaited<ReturnType<typeof describeCandidate>>;
    try {
      candidate = await describeCandidate(deps, email);
    } catch {
      await ack({
        response_type: 'ephemeral',
        text: 'Panelist could not look up the candidate: its database is not answering. Try again in a moment.',
      });
      return;
    }
    if (!candidate) {
      await ack({
        response_type: 'ephemeral',
        text: `No candidate with the email ${escapeMrkdwn(email)}: nothing to delete.`,
      });
      return;
    }
    if (candidate.active > 0) {
      await ack({
        response_type: 'ephemeral',
        text: `${escapeMrkdwn(candidate.name)} has ${candidate.active} upcoming or running interview${
          candidate.active === 1 ? '' : 's'
        }. Cancel ${candidate.active === 1 ? 'it' : 'them'} first (the *Cancel* button on the scheduling message), then run ${DELETE_COMMAND} again.`,
      });
      return;
    }
    await ack();
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: buildDeleteConfirmModal({
          candidateId: candidate.id,
          name: candidate.name,
          email,
          interviews: candidate.interviews,
        }),
      });
    } catch (err) {
      logger.error(`delete confirmation failed: ${(err as Error).message}`);
    }
  });

  app.view(DELETE_CALLBACK, async ({ ack, view, body }) => {
    const { candidateId } = readMetadata<{ candidateId: string }>(view.private_metadata);
    if (!candidateId) {
      await ack({
        response_action: 'update',
        view: resultView('That request has expired. Run the command again.'),
      });
      return;
    }
    try {
      const result = await deleteCandidateData(deps, { candidateId, requestedBy: `slack:${body.user.id}` });
      const text =
        result.outcome === 'deleted'
          ? `:white_check_mark: Deleted. ${result.interviews} interview${result.interviews === 1 ? '' : 's'} redacted; the candidate's name and email are gone.`
          : result.outcome === 'has_active'
            ? `Nothing was deleted: the candidate now has ${result.active} upcoming or running interview${result.active === 1 ? '' : 's'}. Cancel first.`
            : 'Nothing to delete: that candidate no longer exists.';
      await ack({ response_action: 'update', view: resultView(text) });
      deps.logger.info({ candidateId, outcome: result.outcome }, 'candidate data deletion requested');
      if (result.outcome === 'deleted') {
        // Panelist's Slack messages about them are redacted next (services/candidate/slack-redaction.ts);
        // the hourly deletion run catches up if this enqueue fails.
        await enqueueMaintenanceTask(deps.queues, 'slack_redaction', candidateId).catch((err: Error) =>
          deps.logger.warn({ err: { message: err.message } }, 'Slack redaction not queued'),
        );
      }
    } catch (err) {
      deps.logger.error({ err: { message: (err as Error).message } }, 'candidate data deletion failed');
      await ack({
        response_action: 'update',
        view: resultView(
          ':warning: Panelist could not finish deleting (its database is not answering). Run the command again in a moment to finish: nothing is deleted twice.',
        ),
      });
    }
  });
}
