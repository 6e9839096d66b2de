/**
 * Every Bolt listener, registered in one place. Each module exports
 * `register(app, deps)`; listeners ack first and push slow work to a queue.
 * They register through route-listeners.ts, which serves the ones with exact ids from
 * one Bolt listener per kind.
 */
import type { App } from '@slack/bolt';
import type { TBotDeps } from '../deps.js';
import type { PendingAcks } from '../pending-acks.js';
import * as candidateRequests from './actions/candidate-requests.js';
import * as dataDeletion from './actions/data-deletion.js';
import * as emailActions from './actions/email.js';
import * as evaluation from './actions/evaluation.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as interviewReport from './commands/interview-report.js';
import * as interviewSettings from './commands/interview-settings.js';
import * as events from './events/index.js';
import * as options from './options/index.js';
import { routeListeners, type TListenerApp } from './route-listeners.js';
import * as views from './views/index.js';

type TRegister = (app: TListenerApp, deps: TBotDeps, acks: PendingAcks) => void;

const MODULES: TRegister[] = [
  commands.register,
  views.register,
  actions.register,
  emailActions.register,
  options.register,
  events.register,
  evaluation.register,
  dataDeletion.register,
  candidateRequests.register,
  interviewReport.register,
  interviewSettings.register,
];

export function registerListeners(app: App, deps: TBotDeps, acks: PendingAcks): void {
  routeListeners(app, (registry) => {
    for (const register of MODULES) register(registry, deps, acks);
  });
}
