/**
 * What this installation's model setup lets Panelist do, and the one wording people read about it.
 * Without a model there is no AI evaluation and no speech (the built-in interviewer asks its
 * questions in writing); every text a candidate or recruiter reads says so, in these words, so the
 * email, the consent text, the banner and the Slack thread never promise what will not happen.
 */

export type TModelOffer = {
  /** A chat model scores the interview (the evaluation in the Slack thread). */
  evaluates: boolean;
  /** Speech-to-text and text-to-speech are available: questions read aloud, spoken answers. */
  speaks: boolean;
};

/**
 * From the configuration's model settings: a chat endpoint evaluates; spoken answers need a
 * speech-to-text server (its own, or the chat one it falls back to; null when there is none).
 */
export function modelOffer(ai: {
  baseUrl: string | undefined;
  stt: { baseUrl: string } | null;
}): TModelOffer {
  return { evaluates: ai.baseUrl !== undefined, speaks: ai.stt !== null };
}

/** Where an operator learns to connect one (README section). */
export const CONNECT_A_MODEL =
  'see "Connect a model" in the README: set OPENAI_API_KEY, or OPENAI_BASE_URL for a self-hosted model';

export const NO_MODEL_TEXT = {
  /** The Slack thread when an interview ends on an installation with no model. */
  thread: (candidate: string, ended = 'has ended') =>
    `*The interview with ${candidate} ${ended}.* No AI evaluation runs on this installation: no model is connected, so there are no scores. Read the transcript to decide. To set one up, ${CONNECT_A_MODEL}.`,
  threadFallback: (candidate: string, ended = 'has ended') =>
    `The interview with ${candidate} ${ended}. No AI evaluation runs on this installation (no model connected).`,
  /** One line for the scheduling message's status and the start-up banner. */
  short: 'No AI evaluation runs on this installation (no model connected).',
} as const;

/** What the candidate is told about how questions are asked and answered. */
export function interviewFormatText(offer: TModelOffer): string {
  return offer.speaks
    ? 'The interviewer is an AI that asks its questions aloud and in writing. You can answer by speaking, or type your answers if you prefer.'
    : 'The questions appear on screen and you type your answers.';
}

/** What happens to the candidate's answers, for the consent text. */
export function answersUseText(offer: TModelOffer): string {
  const stored = offer.speaks
    ? 'Your spoken answers are converted to text; the questions, your answers as text and their timing are stored'
    : 'The questions, your typed answers and their timing are stored';
  return offer.evaluates
    ? `${stored} and evaluated by AI, then reviewed by people on the hiring team.`
    : `${stored} and reviewed by people on the hiring team. No AI evaluates or scores them.`;
}

/** The consent paragraph of the lobby, as plain text (the page escapes it). */
export function consentText(offer: TModelOffer, company: string, retentionDays: number): string {
  return [
    offer.evaluates
      ? `This interview is conducted by an AI on behalf of ${company}.`
      : `This interview is conducted by an automated interviewer on behalf of ${company}: it asks a set list of questions.`,
    answersUseText(offer),
    'Video is only shown to you and is not recorded or sent.',
    ...(offer.speaks ? ['Audio is used to make the transcript and is not kept.'] : []),
    `Your interview data is kept for ${retentionDays} days and then deleted.`,
    'Some events are noted for the hiring team, such as leaving this tab or pasting text.',
  ].join(' ');
}

export function consentCheckboxText(offer: TModelOffer): string {
  return offer.evaluates
    ? 'I understand and agree to take this interview with an AI interviewer.'
    : 'I understand and agree to take this interview with an automated interviewer.';
}
