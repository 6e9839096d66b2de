import { processBooking } from '../../services/booking/process-booking.js';
import type { TServiceDeps } from '../../services/deps.js';
import type { TJobHandler } from '../worker.js';

export const bookingHandler =
  (deps: TServiceDeps): TJobHandler<'booking'> =>
  async (payload) => {
    const result = await processBooking(payload, deps);
    return result.outcome;
  };
