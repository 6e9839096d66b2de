/** What the job handlers get from the entry point: the services' deps, and the mailer on workers. */
import type { TMailer } from '../infra/mail/mailer.js';
import type { TServiceDeps } from '../services/deps.js';

export type TWorkerDeps = TServiceDeps & { mailer?: TMailer | undefined };
