/**
 * Who may run Panelist's admin commands (`/interview-report`, `/interview-settings`):
 * ADMIN_SLACK_USERS, or, when that is empty, the workspace's admins and owners as Slack reports them.
 */
import type { WebClient } from '@slack/web-api';
import type { TBotDeps } from '../../deps.js';

export async function isPanelistAdmin(client: WebClient, deps: TBotDeps, userId: string): Promise<boolean> {
  if (deps.config.adminSlackUsers.length > 0) return deps.config.adminSlackUsers.includes(userId);
  const res = await client.users.info({ user: userId });
  return Boolean(res.user?.is_admin || res.user?.is_owner);
}
