/**
 * The candidate notice for one interview, from the configuration: whether a model is configured
 * (no AI evaluation is promised without one), the retention period, the role's competencies, and
 * the signed links to the request form and the data page. The email and the lobby both call this.
 */
import type { TConfig } from '../../config.js';
import { buildNotice, type TNotice } from '../../domain/candidate-notice.js';
import { ZCompetency } from '../../domain/evaluation/rubric.js';
import { candidatePageUrl } from './links.js';

/** Role.competencies as stored (JSON); entries that do not parse are left out. */
export function readCompetencies(value: unknown): Array<{ name: string; description: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c) => {
    const parsed = ZCompetency.safeParse(c);
    return parsed.success ? [{ name: parsed.data.name, description: parsed.data.description }] : [];
  });
}

export function interviewNotice(
  config: TConfig,
  input: {
    interview: { id: string; scheduledEnd: Date };
    roleTitle: string;
    competencies: unknown;
    /** Whether interviews run with a model: the evaluation is AI's only then. */
    hasModel: boolean;
    now: Date;
  },
): TNotice {
  return buildNotice({
    company: config.mail.companyName,
    roleTitle: input.roleTitle,
    competencies: readCompetencies(input.competencies),
    hasModel: input.hasModel,
    retentionDays: config.retentionDays,
    requestUrl: candidatePageUrl(config, 'request', input.interview, input.now),
    dataUrl: candidatePageUrl(config, 'data', input.interview, input.now),
  });
}
