/**
 * `/interview-settings [notice N]`: the workspace's own settings, for Panelist admins, answered
 * only to the admin who asked. Without arguments it shows them; `notice N` sets the minimum notice
 * in business days before an AI interview (0 turns it off), which the scheduling form enforces.
 */
import { isAppError } from '../../../domain/errors.js';
import {
  MAX_NOTICE_BUSINESS_DAYS,
  minimumNotice,
  setMinimumNotice,
} from '../../../services/candidate/workspace-settings.js';
import type { TBotDeps } from '../../deps.js';
import type { PendingAcks } from '../../pending-acks.js';
import type { TListenerApp } from '../route-listeners.js';
import { isPanelistAdmin } from './admins.js';

const SETTINGS_COMMAND = '/interview-settings';
const USAGE = `Usage: ${SETTINGS_COMMAND} shows the settings; ${SETTINGS_COMMAND} notice N sets the minimum notice before an AI interview to N business days (0 turns it off, at most ${MAX_NOTICE_BUSINESS_DAYS}).`;

const daysText = (n: number) =>
  n === 0 ? 'off (0 business days)' : `${n} business day${n === 1 ? '' : 's'}`;

export function register(app: TListenerApp, deps: TBotDeps, acks: PendingAcks): void {
  app.command('/interview-settings', async ({ ack, command, client, logger }) => {
    await ack();
    await acks.yieldToAcks();
    const say = (text: string) =>
      client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text });
    try {
      if (!(await isPanelistAdmin(client, deps, command.user_id))) {
        await say(
          `${SETTINGS_COMMAND} is for Panelist admins (the workspace's admins, or ADMIN_SLACK_USERS).`,
        );
        return;
      }
      const teamId = command.team_id;
      const [what, value, extra] = command.text.trim().split(/\s+/).filter(Boolean);
      if (what === undefined) {
        const notice = await minimumNotice(deps, teamId);
        await say(
          `Minimum notice before an AI interview: ${daysText(notice.days)}${
            notice.isDefault
              ? ' (the installation default; not set for this workspace)'
              : `, set by <@${notice.updatedBy?.replace(/^slack:/, '') ?? '?'}>`
          }. NYC Local Law 144 asks for 10 business days. ${USAGE}`,
        );
        return;
      }
      if (what !== 'notice' || value === undefined || extra !== undefined || !/^\d{1,3}$/.test(value)) {
        await say(USAGE);
        return;
      }
      const changed = await setMinimumNotice(deps, { teamId, userId: command.user_id, days: Number(value) });
      await say(
        `Minimum notice before an AI interview is now ${daysText(changed.to)} (was ${daysText(changed.from)}). ${
          changed.to > 0
            ? 'The scheduling form refuses slots sooner than that and names the earliest allowed date.'
            : 'The scheduling form no longer checks it.'
        }`,
      );
    } catch (err) {
      if (isAppError(err) && err.status < 500) {
        await say(`${err.publicMessage} ${USAGE}`).catch(() => undefined);
        return;
      }
      logger.error(`settings command failed: ${(err as Error).message}`);
      await say(
        'Panelist could not read or save the settings just now (its database is not answering). Try again in a moment.',
      ).catch(() => undefined);
    }
  });
}
