/**
 * The Slack Web API emulator in a process of its own, so its work never lands on
 * the event loop of the process being measured, nor on the load generator's.
 * Prints `ready <slackApiUrl>`; stops on SIGTERM.
 *
 *   npx tsx bench/peers.ts
 */
import { startSlackApiServer } from '../tools/slack-emulator/server.js';
import { BENCH_RECRUITER, BENCH_TOKEN } from './harness.js';

const slack = await startSlackApiServer({ token: BENCH_TOKEN });
slack.emulator.addUser({
  id: BENCH_RECRUITER,
  name: 'rita',
  tz: 'America/New_York',
  email: 'rita@acme.test',
});
process.stdout.write(`ready ${slack.url}\n`);
process.on('SIGTERM', () => void slack.close().then(() => process.exit(0)));
