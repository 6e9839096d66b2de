/** `candidate_request` jobs: a candidate's request posted into (or updated in) the recruiter's thread. */
import { postRequest } from '../../services/candidate/requests.js';
import type { TServiceDeps } from '../../services/deps.js';
import type { TJobHandler } from '../worker.js';

export function candidateRequestHandler(deps: TServiceDeps): TJobHandler<'candidate_request'> {
  return async (payload) => ({ outcome: await postRequest(deps, payload.requestId) });
}
