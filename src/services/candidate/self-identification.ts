/**
 * The voluntary self-identification form's storage (issue 14 item 6). The answers go to their own
 * table, never into the interview, the event log or anything the hiring team or a model reads;
 * the adverse-impact report reads them in aggregate. The event log records only that the form was
 * answered, not what. Deleted with the candidate's data (services/retention.ts).
 */
import type { TSelfIdentification } from '../../domain/self-identification.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

/** Finished interviews: the form is asked after the interview, never before or during it. */
export const SELF_ID_STATUSES: readonly string[] = ['completed', 'evaluated', 'failed'];

export async function saveSelfIdentification(
  deps: Pick<TServiceDeps, 'prisma'>,
  interviewId: string,
  answers: TSelfIdentification,
): Promise<void> {
  await deps.prisma.$transaction(async (tx) => {
    await tx.selfIdentification.upsert({
      where: { interviewId },
      create: { interviewId, sex: answers.sex, raceEthnicity: answers.raceEthnicity },
      update: { sex: answers.sex, raceEthnicity: answers.raceEthnicity },
    });
    await recordEvent(tx, { interviewId, type: 'candidate.self_identification_saved', actor: 'candidate' });
  });
}

export async function hasSelfIdentified(
  deps: Pick<TServiceDeps, 'prisma'>,
  interviewId: string,
): Promise<boolean> {
  return (await deps.prisma.selfIdentification.count({ where: { interviewId } })) > 0;
}
