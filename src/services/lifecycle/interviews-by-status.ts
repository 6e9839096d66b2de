/** How many interviews are in each status: the operator's gauge. */
import type { TInterviewStatus } from '../../domain/interview-state.js';
import type { TServiceDeps } from '../deps.js';

export async function countInterviewsByStatus(
  deps: Pick<TServiceDeps, 'prisma'>,
): Promise<Array<{ status: TInterviewStatus; count: number }>> {
  const rows = await deps.prisma.interview.groupBy({ by: ['status'], _count: { _all: true } });
  return rows.map((r) => ({ status: r.status, count: r._count._all }));
}
