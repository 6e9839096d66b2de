/**
 * The fixed identity of the emulated Slack workspace and app, shared by the Web API emulator and by the
 * builders of signed requests, so that a payload "from Slack" names the same team and app the API does.
 */
export const EMULATED_WORKSPACE = {
  teamId: 'T_PANELIST',
  teamDomain: 'panelist-dev',
  teamName: 'Panelist Dev',
  appId: 'A_PANELIST',
  botId: 'B_PANELIST',
  botUserId: 'U_PANELIST_BOT',
  botName: 'panelist',
  /** The deprecated per-app verification token Slack still puts in every payload. */
  verificationToken: 'emulated-verification-token',
  defaultUserId: 'U_RECRUITER',
} as const;

/** Trigger ids as Slack issues them, e.g. `13345224609.738474920.8088930838d88f008e0`. */
export const TRIGGER_ID_PATTERN = /^\d+\.\d+\.[0-9a-f]+$/;
