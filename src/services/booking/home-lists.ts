/** The App Home's two lists: interviews still to come, and ended ones no person has decided on. */
import { currentDecision, DECIDABLE_STATUSES, DECISION_EVENT_TYPES } from '../../domain/decision.js';
import type { TServiceDeps } from '../deps.js';
import { transcriptLinkFor } from '../evaluation/transcript-link.js';

export const HOME_LISTS = ['upcoming', 'decision'] as const;
export type THomeList = (typeof HOME_LISTS)[number];

export type THomeInterview = {
  id: string;
  candidateName: string;
  roleTitle: string;
  start: Date;
  status: string;
  channelId: string;
  threadTs: string | null;
  /** Signed link to the hiring team's transcript page, for an interview that has ended. */
  transcriptUrl: string | null;
};

/**
 * `upcoming`: scheduled or running, soonest first. `decision`: ended (completed, evaluated or
 * failed), with no Advance or Decline standing on it, most recent first. At most `limit` each.
 */
export async function homeInterviews(
  deps: Pick<TServiceDeps, 'prisma' | 'config'>,
  now: Date,
  list: THomeList,
  limit = 30,
): Promise<THomeInterview[]> {
  const rows =
    list === 'upcoming'
      ? await deps.prisma.interview.findMany({
          where: {
            status: { in: ['scheduled', 'in_progress'] },
            scheduledEnd: { gt: now },
            redactedAt: null,
          },
          orderBy: { scheduledStart: 'asc' },
          take: limit,
          include: { candidate: { select: { name: true } }, role: { select: { title: true } } },
        })
      : await undecided(deps, limit);
  return rows.map((i) => ({
    id: i.id,
    candidateName: i.candidate.name,
    roleTitle: i.role.title,
    start: i.scheduledStart,
    status: i.status,
    channelId: i.slackChannelId,
    threadTs: i.slackThreadTs,
    transcriptUrl:
      list === 'decision' && deps.config.transcriptLinks.secret
        ? transcriptLinkFor(deps.config, i.id, now)
        : null,
  }));
}

async function undecided(deps: Pick<TServiceDeps, 'prisma'>, limit: number) {
  // Ended interviews, newest first; a few more than shown, since some carry a decision.
  const ended = await deps.prisma.interview.findMany({
    where: { status: { in: [...DECIDABLE_STATUSES] }, redactedAt: null, aiOptOutAt: null },
    orderBy: { scheduledStart: 'desc' },
    take: limit * 4,
    include: { candidate: { select: { name: true } }, role: { select: { title: true } } },
  });
  if (ended.length === 0) return [];
  const events = await deps.prisma.event.findMany({
    where: { interviewId: { in: ended.map((i) => i.id) }, type: { in: Object.values(DECISION_EVENT_TYPES) } },
    orderBy: { id: 'asc' },
    select: { interviewId: true, type: true, actor: true, createdAt: true, data: true },
  });
  const byInterview = new Map<string, typeof events>();
  for (const e of events) {
    const list = byInterview.get(e.interviewId ?? '') ?? [];
    list.push(e);
    byInterview.set(e.interviewId ?? '', list);
  }
  return ended.filter((i) => currentDecision(byInterview.get(i.id) ?? []) === null).slice(0, limit);
}
