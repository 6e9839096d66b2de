/** The evaluations stored for an interview. */
import type { TServiceDeps } from '../deps.js';

/** Its succeeded evaluations, newest version first. */
export function succeededEvaluations(deps: Pick<TServiceDeps, 'prisma'>, interviewId: string) {
  return deps.prisma.evaluation.findMany({
    where: { interviewId, status: 'succeeded' },
    orderBy: { version: 'desc' },
  });
}
