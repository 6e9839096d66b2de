/**
 * Transcript in, grounded result out: the quality gate, then (when there is something to
 * judge) the model, then the grounding rules. Shared by the evaluation job and the fixture
 * script, so what the script measures is what the job posts.
 */
import { groundEvaluation, insufficientEvaluation } from '../../domain/evaluation/grounding.js';
import { assessTranscript } from '../../domain/evaluation/quality-gate.js';
import type { TEvaluationResult, TIntegritySummary } from '../../domain/evaluation/result.js';
import type { TCompetency } from '../../domain/evaluation/rubric.js';
import type { TTranscript } from '../../domain/evaluation/transcript.js';
import type { TAi } from '../../infra/ai/client.js';
import { evaluateTranscript } from '../../infra/ai/evaluator.js';

export async function scoreTranscript(
  ai: TAi,
  input: {
    roleTitle: string;
    competencies: TCompetency[];
    transcript: TTranscript;
    integrity: TIntegritySummary;
  },
): Promise<{ result: TEvaluationResult; model: string }> {
  const { competencies, transcript, integrity } = input;
  const quality = assessTranscript(transcript, competencies);
  if (quality.blockers.length > 0)
    return {
      result: insufficientEvaluation({ transcript, competencies, quality, integrity }),
      model: ai.chatModel,
    };
  const out = await evaluateTranscript(ai, {
    roleTitle: input.roleTitle,
    competencies,
    turns: transcript.turns,
    excluded: Object.keys(quality.insufficient),
  });
  return {
    result: groundEvaluation({
      model: out.evaluation,
      discarded: out.discarded,
      transcript,
      competencies,
      quality,
      integrity,
      modelCalls: out.calls,
    }),
    model: out.model,
  };
}
