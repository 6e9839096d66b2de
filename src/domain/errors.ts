/**
 * The one error model. Codes are stable strings; each maps to an HTTP status and
 * to the sentence a Slack user or candidate sees. Details of 5xx errors are logged,
 * never shown. Every code the portal answers with (HTTP bodies `{ error, message }`) and the
 * interview WebSocket sends (`error` messages, portal/protocol.ts) is one of these; the model's
 * and the mailer's failures are AppErrors too (EvaluatorError, EmailSendError), with their own
 * kind beside the code.
 */
export const ERROR_CODES = {
  invalid_input: { status: 400, say: 'Some of the input is not valid.' },
  unauthorized: { status: 401, say: 'You are not signed in.' },
  forbidden: { status: 403, say: 'You do not have access to this.' },
  not_found: { status: 404, say: 'That was not found.' },
  conflict: { status: 409, say: 'That changed in the meantime. Please try again.' },
  slot_full: { status: 409, say: 'That slot has no seats left.' },
  slot_past: { status: 409, say: 'That slot has already started.' },
  slot_closed: { status: 409, say: 'That slot was closed.' },
  invalid_state: { status: 409, say: 'That is no longer possible for this interview.' },
  /** A candidate link that is unknown, replaced, cancelled or outside its use (same answer for all). */
  invalid_link: { status: 404, say: 'This interview link is not valid.' },
  /** An answer or request for a question that is no longer open. */
  stale: { status: 409, say: 'That question has already moved on.' },
  /** Audio sent for an answer whose recording was never started. */
  audio_not_started: { status: 409, say: 'Start the answer before sending its audio.' },
  /** The page speaks an older protocol than the server: it must reload. */
  reload: { status: 409, say: 'This page is out of date. Please reload it.' },
  unsupported_version: { status: 400, say: 'This page is out of date. Please reload it.' },
  unsupported_media_type: { status: 415, say: 'That kind of file is not accepted here.' },
  outside_window: { status: 403, say: 'The interview is not open right now.' },
  payload_too_large: { status: 413, say: 'That upload is too large.' },
  rate_limited: { status: 429, say: 'Too many attempts. Please wait a minute and try again.' },
  unavailable: { status: 503, say: 'A service Panelist needs is not answering. Try again in a moment.' },
  /** The model gave no usable answer (EvaluatorError, with its kind). */
  model_failed: { status: 502, say: 'The AI model gave no usable answer.' },
  /** An email could not be sent (EmailSendError, permanent or not). */
  email_failed: { status: 502, say: 'The email could not be sent.' },
  internal: { status: 500, say: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; say: string }>;

export type TErrorCode = keyof typeof ERROR_CODES;

/** Every code, for schemas (the WebSocket protocol's `error` message). */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [TErrorCode, ...TErrorCode[]];

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: TErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].say);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** What may be shown to a user: the message for 4xx, a generic sentence for 5xx. */
  get publicMessage(): string {
    return this.status >= 500 ? ERROR_CODES[this.code].say : this.message;
  }
}

export function isAppError(err: unknown, code?: TErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
