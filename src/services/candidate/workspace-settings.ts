/**
 * A Slack workspace's own settings (issue 14): today the minimum notice, in business days, before
 * an AI interview (NYC Local Law 144 asks for 10). A workspace that never set it gets the
 * installation's default, MIN_NOTICE_BUSINESS_DAYS (0 = off unless the operator set one). Changed by
 * the workspace's Panelist admins with `/interview-settings`; every change is in the event log.
 */
import { AppError } from '../../domain/errors.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

type TDeps = Pick<TServiceDeps, 'prisma' | 'config'>;

/** The longest minimum notice a workspace may set (the configuration's own bound). */
export const MAX_NOTICE_BUSINESS_DAYS = 60;

type TNoticeSetting = {
  days: number;
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
};

/** The notice that applies given a workspace's stored setting (null: it set none, the default applies). */
export function noticeDays(deps: Pick<TServiceDeps, 'config'>, stored: number | null): number {
  return stored ?? deps.config.candidateRights.minNoticeBusinessDays;
}

/** The minimum notice that applies to a workspace (`teamId` unknown: the installation's default). */
export async function minimumNotice(deps: TDeps, teamId: string | undefined): Promise<TNoticeSetting> {
  const row = teamId ? await deps.prisma.workspaceSettings.findUnique({ where: { teamId } }) : null;
  return row
    ? {
        days: row.minNoticeBusinessDays,
        isDefault: false,
        updatedBy: row.updatedBy,
        updatedAt: row.updatedAt,
      }
    : {
        days: deps.config.candidateRights.minNoticeBusinessDays,
        isDefault: true,
        updatedBy: null,
        updatedAt: null,
      };
}

/**
 * Sets a workspace's minimum notice (0 turns it off). The caller checks that `userId` is an admin.
 * Recorded as `settings.min_notice_changed` with the old and new values.
 */
export async function setMinimumNotice(
  deps: TDeps,
  input: { teamId: string; userId: string; days: number },
): Promise<{ from: number; to: number }> {
  if (!Number.isInteger(input.days) || input.days < 0 || input.days > MAX_NOTICE_BUSINESS_DAYS)
    throw new AppError(
      'invalid_input',
      `The minimum notice is a whole number of business days from 0 (off) to ${MAX_NOTICE_BUSINESS_DAYS}.`,
    );
  const actor = `slack:${input.userId}`;
  return deps.prisma.$transaction(async (tx) => {
    const before = await tx.workspaceSettings.findUnique({ where: { teamId: input.teamId } });
    const from = before?.minNoticeBusinessDays ?? deps.config.candidateRights.minNoticeBusinessDays;
    await tx.workspaceSettings.upsert({
      where: { teamId: input.teamId },
      create: { teamId: input.teamId, minNoticeBusinessDays: input.days, updatedBy: actor },
      update: { minNoticeBusinessDays: input.days, updatedBy: actor },
    });
    await recordEvent(tx, {
      type: 'settings.min_notice_changed',
      actor,
      data: { teamId: input.teamId, from, to: input.days },
    });
    return { from, to: input.days };
  });
}
