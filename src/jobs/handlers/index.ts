/**
 * Which handler serves which queue. A queue without a handler here is not
 * consumed: its jobs wait in Redis until a worker that handles them starts.
 */
import type { TJobName } from '../../infra/queue/catalogue.js';
import type { TWorkerDeps } from '../deps.js';
import type { TJobHandler } from '../worker.js';
import { bookingHandler, notifyHandler } from './booking.js';
import { candidateRequestHandler } from './candidate-request.js';
import { emailHandler } from './email.js';
import { evaluationHandler } from './evaluation.js';
import { maintenanceHandler } from './maintenance.js';
import { prepareHandler } from './prepare.js';

// Until every branch imports it from ../deps.js (then this line goes).

type THandlerFactories = { [N in TJobName]?: (deps: TWorkerDeps) => TJobHandler<N> };

export const HANDLERS: THandlerFactories = {
  evaluation: evaluationHandler,
  maintenance: maintenanceHandler,
  booking: bookingHandler,
  notify: notifyHandler,
  prepare: prepareHandler,
  email: emailHandler,
  candidate_request: candidateRequestHandler,
};
