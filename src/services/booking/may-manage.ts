/**
 * Who may cancel or reschedule an interview: the recruiter who scheduled it, and the Slack users
 * in SLACK_ADMIN_USERS. Checked by the server on every click and every reschedule form (the
 * buttons' confirmation dialogs say the same, but a dialog is not a check).
 */
import type { TConfig } from '../../config.js';

export function mayManageInterview(
  config: Pick<TConfig, 'slackAdminUsers'>,
  interview: { recruiterSlackUser: string },
  userId: string,
): boolean {
  return userId === interview.recruiterSlackUser || config.slackAdminUsers.includes(userId);
}

/** What someone who may not is told (privately). */
export function notAllowedText(
  interview: { recruiterSlackUser: string },
  what: 'cancel' | 'reschedule',
): string {
  return `Only <@${interview.recruiterSlackUser}>, who scheduled this interview, and Panelist admins can ${what} it. Nothing was changed.`;
}
