import type { TServiceDeps } from '../services/deps.js';

/** The bot gets the same deps as the services; its WebClient comes from Bolt per request. */
export type TBotDeps = TServiceDeps;
