/** Plays Slack against a running Panelist: signed slash commands and modal submissions. */
import type { SlackApiEmulator, SlackViewOutput } from '../../../tools/slack-emulator/emulator.js';
import {
  interactionBody,
  type SlackRequestResult,
  sendSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../../tools/slack-emulator/signing.js';
import type { ViewInput } from '../../../tools/slack-emulator/view-state.js';
import { CHANNEL, RECRUITER, SIGNING_SECRET } from './slack-peer.js';

export type TScheduleInput = {
  name: string;
  email: string;
  tz?: string;
  roleId: string;
  slotId: string;
  notes?: string;
};

export class SlackDriver {
  constructor(
    private readonly emulator: SlackApiEmulator,
    private baseUrl: string,
  ) {}

  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  send(body: string, opts: { timestamp?: number; secret?: string; signal?: AbortSignal } = {}) {
    return sendSlackRequest(`${this.baseUrl}/slack/events`, body, opts.secret ?? SIGNING_SECRET, {
      ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  commandBody(command: string, text = '', user = RECRUITER): string {
    return slashCommandBody({
      command,
      text,
      userId: user,
      channelId: CHANNEL,
      triggerId: this.emulator.issueTriggerId(user),
    });
  }

  /** /schedule-interview, then the modal Slack opened for it (one open modal per user, as on Slack). */
  async openScheduleModal(user = RECRUITER): Promise<SlackViewOutput> {
    const before = this.emulator.callsTo('views.open').length;
    const res = await this.send(this.commandBody('/schedule-interview', '', user));
    if (res.status !== 200) throw new Error(`/schedule-interview answered ${res.status}: ${res.body}`);
    // Generous: on a loaded 2-core machine a cold process can take seconds to open its first modal.
    const deadline = Date.now() + 15_000;
    while (this.emulator.callsTo('views.open').length <= before) {
      if (Date.now() > deadline) throw new Error('the schedule modal did not open');
      await new Promise((r) => setTimeout(r, 20));
    }
    const call = this.emulator.callsTo('views.open').at(-1);
    const view = this.emulator.openModal(user);
    if (!view) throw new Error(`no modal open: ${JSON.stringify(call)}`);
    return view;
  }

  submitBody(view: SlackViewOutput, input: TScheduleInput, user = RECRUITER): string {
    const values: Record<string, Record<string, ViewInput>> = {
      candidate_name: { candidate_name: input.name },
      candidate_email: { candidate_email: input.email },
      candidate_tz: {
        candidate_tz: { text: input.tz ?? 'Europe/Berlin', value: input.tz ?? 'Europe/Berlin' },
      },
      role: { role: { text: 'Backend Engineer', value: input.roleId } },
      slot: { slot: input.slotId },
      ...(input.notes !== undefined ? { notes: { notes: input.notes } } : {}),
    };
    const filled = this.emulator.submitViewState(view.id, values);
    return interactionBody(
      viewSubmissionPayload({
        user,
        view: filled,
        triggerId: this.emulator.issueTriggerId(user),
      }),
    );
  }

  /** Opens the modal, fills it and submits it; returns Slack's view of the answer. */
  async schedule(input: TScheduleInput): Promise<SlackRequestResult & { view: SlackViewOutput }> {
    const view = await this.openScheduleModal();
    const res = await this.send(this.submitBody(view, input));
    return { ...res, view };
  }
}
