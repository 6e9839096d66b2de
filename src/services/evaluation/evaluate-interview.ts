/**
 * The evaluation use case behind the `evaluation` job. Idempotent: the Evaluation row
 * (unique per interview and version) holds the result and the ts of the Slack post, so a
 * retry or a rerun after a crash reuses the stored result and updates the post instead of
 * posting again.
 */

import {
  buildEvaluationFailedMessage,
  buildEvaluationMessage,
  buildNoShowMessage,
  buildNotConfiguredMessage,
  type TSlackMessage,
} from '../../block-kit/evaluation-messages.js';
import { summarizeIntegrity, type TEvaluationResult } from '../../domain/evaluation/result.js';
import { buildRubric, EVALUATION_PROMPT_VERSION, rubricVersion } from '../../domain/evaluation/rubric.js';
import { endedClause, isEndedEarly, tallyTranscript } from '../../domain/interview-end.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { EvaluatorError, type TEvaluatorErrorKind } from '../../infra/ai/evaluator.js';
import type { Logger } from '../../infra/logger.js';
import type { TEvaluationJob } from '../../infra/queue/jobs/evaluation.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { formatLatencySummary, interviewLatencySummary } from '../interview/latency.js';
import { settleTranscripts } from '../interview/transcripts.js';
import { transitionInterview } from '../lifecycle/transition-interview.js';
import { loadDecision } from './decision-state.js';
import { scoreTranscript } from './score-transcript.js';
import { NOT_CONFIGURED_ERROR, postOrUpdate, updateSchedulingMessageStatus } from './thread.js';
import { loadInterviewTranscript } from './transcript.js';
import { transcriptLinkFor } from './transcript-link.js';

export type TEvaluationDeps = Pick<TServiceDeps, 'config' | 'prisma' | 'slack' | 'ai' | 'now'>;

export type TEvaluationRun = {
  isFinalAttempt: boolean;
  logger: Logger;
  /** Test seam: runs right after the Slack post returns, before its ts is stored. */
  afterPost?: () => Promise<void>;
};

export type TEvaluationOutcome =
  | 'posted'
  | 'already_posted'
  | 'no_show_posted'
  | 'not_configured'
  | 'failed'
  | 'skipped';

const EVALUABLE = ['completed', 'evaluated', 'failed'] as const;

export async function runEvaluation(
  job: TEvaluationJob,
  deps: TEvaluationDeps,
  run: TEvaluationRun,
): Promise<TEvaluationOutcome> {
  const { prisma, config } = deps;
  const log = run.logger.child({ interviewId: job.interviewId, version: job.version });
  if (job.reason !== 'no_show') {
    // Voice answers whose transcription failed during the interview kept their audio: transcribe
    // them now; while any is still pending, retry the job later (scores never miss an answer
    // the server has), except on the last attempt, which scores what there is.
    const pending = await settleTranscripts({ ...deps, logger: log }, job.interviewId);
    if (pending > 0 && !run.isFinalAttempt) {
      throw new Error(`${pending} piece(s) of voice answers are not transcribed yet; the evaluation waits`);
    }
  }
  const loaded = await loadInterviewTranscript(prisma, job.interviewId);
  const { interview, competencies, transcript } = loaded;
  const where = { slackChannelId: interview.slackChannelId, slackThreadTs: interview.slackThreadTs };
  if (interview.redactedAt) {
    log.info('interview was redacted; nothing to evaluate');
    return 'skipped';
  }
  // The candidate asked for an interview with a person: never evaluated by AI (issue 14).
  if (interview.aiOptOutAt && job.reason !== 'no_show') {
    log.info('candidate opted out of the AI interview; not evaluated');
    return 'skipped';
  }

  // --- No-show: the window closed before the candidate started.
  if (job.reason === 'no_show') {
    if (interview.status !== 'expired') {
      log.info({ status: interview.status }, 'no-show job for an interview that is not expired; skipped');
      return 'skipped';
    }
    const row = await ensureRow(deps, job.interviewId, job.version);
    if (row.slackMessageTs && row.status === 'succeeded') return 'already_posted';
    const message = buildNoShowMessage({
      candidateName: interview.candidate.name,
      scheduledStart: interview.scheduledStart,
      interviewId: interview.id,
    });
    await post(row.id, row.slackMessageTs, message, 'no_show', {
      status: 'succeeded',
      result: { kind: 'no_show' },
    });
    await updateSchedulingMessageStatus(deps, interview.id, log);
    return 'no_show_posted';
  }

  if (!(EVALUABLE as readonly string[]).includes(interview.status)) {
    log.warn({ status: interview.status }, 'evaluation job for an interview that has not ended; skipped');
    return 'skipped';
  }

  const row = await ensureRow(deps, job.interviewId, job.version);
  if (row.slackMessageTs && (row.status === 'succeeded' || row.status === 'failed')) {
    // Posted by an earlier run that did not get to finish: finish the bookkeeping only.
    if (row.status === 'succeeded') await markEvaluated(row.result as TEvaluationResult | null);
    return 'already_posted';
  }
  const actions = {
    interviewId: interview.id,
    version: job.version,
    transcriptUrl: transcriptLinkFor(config, interview.id, deps.now()),
    canRequestReview: true,
  };

  // --- No model: say so, keep the interview `completed`, point at the transcript.
  if (!deps.ai) {
    const tally = tallyTranscript(transcript);
    const message = buildNotConfiguredMessage({
      candidateName: interview.candidate.name,
      ...(isEndedEarly(tally) ? { ended: endedClause(interview.endReason, tally) } : {}),
      version: job.version,
      actions,
      interviewId: interview.id,
    });
    await post(row.id, row.slackMessageTs, message, 'not_configured', {
      status: 'failed',
      error: NOT_CONFIGURED_ERROR,
    });
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'evaluation.not_configured',
      data: { version: job.version },
    });
    await updateSchedulingMessageStatus(deps, interview.id, log);
    return 'not_configured';
  }

  // --- Evaluate (or reuse the result an earlier attempt stored).
  const rubric = buildRubric(competencies);
  let result = row.status === 'succeeded' ? (row.result as TEvaluationResult | null) : null;
  let model = row.model ?? deps.ai.chatModel;
  const attempts = row.attempts + 1;
  // An earlier run that stored a result may have posted it before it was killed; a first run has not.
  let mayHavePosted = row.status !== 'pending';
  if (!result) {
    await prisma.evaluation.update({ where: { id: row.id }, data: { attempts } });
    const integrity = summarizeIntegrity(loaded.integrityEvents.map((e) => e.type));
    try {
      const scored = await scoreTranscript(deps.ai, {
        roleTitle: interview.role.title,
        competencies,
        transcript,
        integrity,
      });
      result = scored.result;
      model = scored.model;
    } catch (err) {
      if (!(err instanceof EvaluatorError)) throw err;
      log.warn({ kind: err.kind, attempt: attempts, final: run.isFinalAttempt }, 'evaluation attempt failed');
      // The versions are stored on a failed attempt too: the audit names every model call.
      await prisma.evaluation.update({
        where: { id: row.id },
        data: {
          error: err.message.slice(0, 500),
          model: deps.ai.chatModel,
          promptVersion: EVALUATION_PROMPT_VERSION,
          rubric: rubric as unknown as Prisma.InputJsonValue,
          rubricVersion: rubricVersion(rubric),
        },
      });
      if (!run.isFinalAttempt) throw err;
      await reportFailure(row.id, row.slackMessageTs, err, attempts, actions);
      throw err;
    }
    // Conditional: a concurrent run (a stalled job picked up twice) cannot overwrite a stored result.
    const stored = await prisma.evaluation.updateMany({
      where: { id: row.id, status: 'pending' },
      data: {
        status: 'succeeded',
        result: result as unknown as Prisma.InputJsonValue,
        rubric: rubric as unknown as Prisma.InputJsonValue,
        rubricVersion: rubricVersion(rubric),
        promptVersion: EVALUATION_PROMPT_VERSION,
        model,
        droppedQuotes: result.droppedQuotes.length,
        flags: result.flags as unknown as Prisma.InputJsonValue,
        error: null,
      },
    });
    if (stored.count === 0) {
      // The other run stored its result first (and may have posted it): use that one.
      const theirs = await prisma.evaluation.findUniqueOrThrow({ where: { id: row.id } });
      result = theirs.result as unknown as TEvaluationResult;
      model = theirs.model ?? model;
      mayHavePosted = true;
    }
  }

  // --- Post once.
  const requestedBy = job.requestedBy?.replace(/^slack:/, '');
  const standing = await loadDecision(prisma, interview.id);
  const message = buildEvaluationMessage({
    candidateName: interview.candidate.name,
    roleTitle: interview.role.title,
    version: job.version,
    result,
    model,
    promptVersion: row.promptVersion ?? EVALUATION_PROMPT_VERSION,
    rubricVersion: row.rubricVersion ?? rubricVersion(rubric),
    standingDecision: standing,
    requestedBy: requestedBy && /^[UW][A-Z0-9_]+$/.test(requestedBy) ? requestedBy : undefined,
    actions,
    interviewId: interview.id,
    latencyLine: formatLatencySummary(await interviewLatencySummary(deps, interview.id)),
  });
  await post(row.id, row.slackMessageTs, message, 'evaluation', {}, mayHavePosted);
  await markEvaluated(result);
  return 'posted';

  async function markEvaluated(res: TEvaluationResult | null): Promise<void> {
    const [isMoved, already] = await Promise.all([
      transitionInterview(prisma, interview.id, ['completed', 'failed', 'evaluated'], 'evaluated'),
      prisma.event.findFirst({
        where: {
          interviewId: interview.id,
          type: 'evaluation.posted',
          data: { path: ['version'], equals: job.version },
        },
        select: { id: true },
      }),
    ]);
    await Promise.all([
      already
        ? undefined
        : recordEvent(prisma, {
            interviewId: interview.id,
            type: 'evaluation.posted',
            data: { version: job.version, recommendation: res?.recommendation ?? null },
          }),
      isMoved && res ? updateSchedulingMessageStatus(deps, interview.id, log) : undefined,
    ]);
  }

  async function reportFailure(
    rowId: string,
    existingTs: string | null,
    failure: EvaluatorError,
    attemptsMade: number,
    acts: typeof actions,
  ): Promise<void> {
    const message = buildEvaluationFailedMessage({
      candidateName: interview.candidate.name,
      version: job.version,
      reason: publicReason(failure.kind),
      attempts: attemptsMade,
      actions: acts,
      interviewId: interview.id,
    });
    await post(rowId, existingTs, message, 'failed', {
      status: 'failed',
      error: failure.message.slice(0, 500),
    });
    const isMoved = await transitionInterview(prisma, interview.id, 'completed', 'failed');
    await recordEvent(prisma, {
      interviewId: interview.id,
      type: 'evaluation.failed',
      data: { version: job.version, attempts: attemptsMade },
    });
    if (isMoved) await updateSchedulingMessageStatus(deps, interview.id, log);
  }

  /**
   * Posts (or updates) the message and stores its ts together with `data`. `mayHavePosted`
   * false skips looking for an earlier post in the thread (one Slack call) when no earlier run
   * can have made one.
   */
  async function post(
    rowId: string,
    existingTs: string | null,
    message: TSlackMessage,
    kind: string,
    data: Prisma.EvaluationUpdateInput,
    mayHavePosted = true,
  ): Promise<void> {
    const { ts } = await postOrUpdate(
      deps.slack,
      where,
      message,
      existingTs,
      { interviewId: interview.id, version: job.version, kind },
      log,
      mayHavePosted,
    );
    if (run.afterPost) await run.afterPost();
    await prisma.evaluation.update({
      where: { id: rowId },
      data: { ...data, slackChannelId: where.slackChannelId, slackMessageTs: ts, postedAt: deps.now() },
    });
  }
}

/** What the thread may say about a model failure, by its kind: no URLs, keys or model output echoed. */
const PUBLIC_REASONS: Record<TEvaluatorErrorKind, string> = {
  invalid_output: 'The model’s answers were not valid evaluations.',
  refused: 'The model refused to evaluate this transcript.',
  timeout: 'The model did not answer in time.',
  model_error: 'The model could not be reached.',
};

function publicReason(kind: TEvaluatorErrorKind): string {
  return PUBLIC_REASONS[kind];
}

type TEvaluationRow = {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  result: unknown;
  model: string | null;
  promptVersion: string | null;
  rubricVersion: string | null;
  attempts: number;
  slackMessageTs: string | null;
};

/**
 * The row for (interview, version), created if missing: one INSERT … ON CONFLICT round trip
 * (Prisma's upsert with an empty update reads, then writes, in a transaction).
 */
async function ensureRow(deps: TEvaluationDeps, interviewId: string, version: number) {
  const rows = await deps.prisma.$queryRaw<TEvaluationRow[]>`
    INSERT INTO "Evaluation" (id, "interviewId", version, "updatedAt")
    VALUES (gen_random_uuid(), ${interviewId}::uuid, ${version}, now())
    ON CONFLICT ("interviewId", version) DO UPDATE SET version = EXCLUDED.version
    RETURNING id, status::text AS status, result, model, "promptVersion", "rubricVersion", attempts, "slackMessageTs"`;
  const row = rows[0];
  if (!row) throw new Error('the evaluation row was neither inserted nor found');
  return row;
}
