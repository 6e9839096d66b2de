/**
 * `/interview-report [from] [to]`: the adverse-impact report, for admins only, shown only to
 * the admin who asked (an ephemeral message). Who is an admin: ADMIN_SLACK_USERS, or, when that
 * is empty, the workspace's admins and owners as Slack reports them.
 */
import { buildImpactReportMessage } from '../../../block-kit/report-messages.js';
import { isAppError } from '../../../domain/errors.js';
import { buildImpactReport, parseReportRange } from '../../../services/reports/impact-report.js';
import type { TBotDeps } from '../../deps.js';
import type { PendingAcks } from '../../pending-acks.js';
import type { TListenerApp } from '../route-listeners.js';
import { isPanelistAdmin } from './admins.js';

export const REPORT_COMMAND = '/interview-report';

export function register(app: TListenerApp, deps: TBotDeps, acks: PendingAcks): void {
  app.command('/interview-report', async ({ ack, command, client, logger }) => {
    await ack();
    await acks.yieldToAcks();
    const say = (message: { text: string; blocks?: unknown[] }) =>
      client.chat.postEphemeral({
        channel: command.channel_id,
        user: command.user_id,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      });
    try {
      if (!(await isPanelistAdmin(client, deps, command.user_id))) {
        await say({
          text: `${REPORT_COMMAND} is for Panelist admins: it shows selection rates by sex and race/ethnicity. Ask an admin, or set ADMIN_SLACK_USERS.`,
        });
        return;
      }
      const [from, to, extra] = command.text.trim().split(/\s+/).filter(Boolean);
      if (extra !== undefined) {
        await say({
          text: `Usage: ${REPORT_COMMAND} [from] [to], dates like 2026-01-31 (UTC days, both included).`,
        });
        return;
      }
      const range = parseReportRange(from, to, deps.now());
      const report = await buildImpactReport(deps, range);
      await say(buildImpactReportMessage(report));
    } catch (err) {
      if (isAppError(err) && err.status < 500) {
        await say({ text: `${err.publicMessage} Usage: ${REPORT_COMMAND} [from] [to].` }).catch(
          () => undefined,
        );
        return;
      }
      logger.error(`impact report failed: ${(err as Error).message}`);
      await say({ text: 'Panelist could not build the report just now. Try again in a moment.' }).catch(
        () => undefined,
      );
    }
  });
}
