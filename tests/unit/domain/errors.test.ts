/**
 * One error model: the portal's and the WebSocket's codes, and the model's failures, are all
 * AppErrors with a status from one map; what a user sees of a 5xx is the generic sentence.
 */
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODE_NAMES, ERROR_CODES, isAppError } from '../../../src/domain/errors.js';
import { EvaluatorError } from '../../../src/infra/ai/evaluator.js';
import { PROTOCOL_VERSION, ZServerMessage } from '../../../src/portal/protocol.js';

describe('AppError', () => {
  it('takes its status from the one map and hides 5xx messages from users', () => {
    const notFound = new AppError('invalid_link');
    expect(notFound.status).toBe(404);
    expect(notFound.publicMessage).toBe('This interview link is not valid.');
    const down = new AppError('unavailable', 'Redis refused the connection at 10.0.0.5:6379');
    expect(down.status).toBe(503);
    expect(down.publicMessage).toBe(ERROR_CODES.unavailable.say);
    expect(down.publicMessage).not.toContain('10.0.0.5');
  });

  it('every status is an HTTP error status', () => {
    for (const code of ERROR_CODE_NAMES) {
      expect(ERROR_CODES[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_CODES[code].status).toBeLessThan(600);
    }
  });

  it("the model's failure is an AppError that keeps its kind and never shows its message", () => {
    const err = new EvaluatorError('timeout', 'The model did not answer in time.');
    expect(isAppError(err, 'model_failed')).toBe(true);
    expect(err.kind).toBe('timeout');
    expect(err.details).toEqual({ kind: 'timeout' });
    expect(err.status).toBe(502);
    expect(err.publicMessage).toBe(ERROR_CODES.model_failed.say);
  });

  it('the WebSocket protocol accepts AppError codes only', () => {
    const error = (code: string) => ({ v: PROTOCOL_VERSION, type: 'error', code, message: 'x' });
    expect(ZServerMessage.safeParse(error('invalid_link')).success).toBe(true);
    expect(ZServerMessage.safeParse(error('reload')).success).toBe(true);
    expect(ZServerMessage.safeParse(error('no_such_code')).success).toBe(false);
  });
});
