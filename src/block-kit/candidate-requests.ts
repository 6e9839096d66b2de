/**
 * The posts in the recruiter's thread for what a candidate asked from their pages (issue 14): an
 * interview with a person, an accommodation, a correction of the transcript, the deletion of their
 * data; and the redacted forms that replace Panelist's messages once a candidate's data is deleted.
 * Pure builders. Everything the candidate typed is escaped (no mentions, no links).
 */
import type { KnownBlock } from '@slack/types';
import { slackDate, userText } from './format.js';

export const CANDIDATE_REQUEST_ACTIONS = {
  offerHuman: 'candidate_offer_human',
  grantAccommodation: 'candidate_grant_accommodation',
  legalHold: 'candidate_legal_hold',
  releaseHold: 'candidate_release_hold',
} as const;

export const ACCOMMODATION_MODAL = {
  callbackId: 'candidate_accommodation',
  extra: 'extra_minutes',
  typed: 'typed_only',
} as const;

export const NEED_LABELS: Record<string, string> = {
  human_interview: 'an interview with a person instead of the AI interview',
  extra_time: 'more time',
  typed_answers: 'to answer by typing only',
  other: 'something else',
};

export type TRequestPost = {
  requestId: string;
  kind: 'alternative' | 'accommodation' | 'correction' | 'deletion';
  candidateName: string;
  needs: string[];
  text: string;
  /** correction: the answer it is about (0-based seq). */
  turnSeq: number | null;
  status: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  extraMinutes: number | null;
  typedAnswersOnly: boolean;
  dueAt: Date | null;
  legalHold: { by: string; at: Date } | null;
  createdAt: Date;
};

function quote(text: string): string {
  const t = userText(text, 1500).trim();
  return t ? `\n>${t.replace(/\n/g, '\n>')}` : '';
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** The thread post for a request, as it stands (open with its buttons, or decided). */
export function buildRequestPost(r: TRequestPost): { text: string; blocks: KnownBlock[] } {
  const who = `*${userText(r.candidateName, 120)}*`;
  const when = slackDate(r.createdAt);
  switch (r.kind) {
    case 'alternative': {
      const head = `:raising_hand: ${who} asked for an interview with a person instead of the AI interview (${when}). The AI interview will not start and they will not be evaluated by AI.${quote(r.text)}`;
      const blocks: KnownBlock[] = [section(head)];
      if (r.status === 'open') {
        blocks.push({
          type: 'actions',
          block_id: 'candidate_request_actions',
          elements: [
            {
              type: 'button',
              action_id: CANDIDATE_REQUEST_ACTIONS.offerHuman,
              style: 'primary',
              text: { type: 'plain_text', text: 'Offer a human interview' },
              value: r.requestId,
              confirm: {
                title: { type: 'plain_text', text: 'Offer a human interview?' },
                text: {
                  type: 'mrkdwn',
                  text: 'The AI interview is cancelled and its seat freed. The candidate is emailed that someone will contact them to arrange an interview with a person.',
                },
                confirm: { type: 'plain_text', text: 'Offer it' },
                deny: { type: 'plain_text', text: 'Not yet' },
              },
            },
          ],
        });
      } else if (r.decidedBy) {
        blocks.push(
          context(
            `:white_check_mark: Human interview offered by <@${userText(r.decidedBy, 40)}>${r.decidedAt ? ` ${slackDate(r.decidedAt)}` : ''}. The AI interview is cancelled and the candidate was emailed; arrange the interview with them.`,
          ),
        );
      }
      return { text: `${userText(r.candidateName, 120)} asked for an interview with a person`, blocks };
    }
    case 'accommodation': {
      const needs = r.needs.map((n) => NEED_LABELS[n] ?? n).join(', ') || 'an accommodation';
      const head = `:handshake: ${who} asked for an accommodation: ${needs} (${when}).${quote(r.text)}`;
      const blocks: KnownBlock[] = [section(head)];
      if (r.status === 'open') {
        blocks.push({
          type: 'actions',
          block_id: 'candidate_request_actions',
          elements: [
            {
              type: 'button',
              action_id: CANDIDATE_REQUEST_ACTIONS.grantAccommodation,
              style: 'primary',
              text: { type: 'plain_text', text: 'Grant accommodation' },
              value: r.requestId,
            },
          ],
        });
      } else if (r.decidedBy) {
        const granted = [
          r.extraMinutes ? `${r.extraMinutes} extra minutes` : '',
          r.typedAnswersOnly ? 'typed answers only' : '',
        ]
          .filter(Boolean)
          .join(' and ');
        blocks.push(
          context(
            `:white_check_mark: Granted by <@${userText(r.decidedBy, 40)}>${r.decidedAt ? ` ${slackDate(r.decidedAt)}` : ''}: ${granted || 'noted, nothing changed in the interview'}. Applied to this interview.`,
          ),
        );
      }
      return { text: `${userText(r.candidateName, 120)} asked for an accommodation`, blocks };
    }
    case 'correction': {
      const about = r.turnSeq === null ? 'their transcript' : `answer ${r.turnSeq + 1} of their transcript`;
      return {
        text: `${userText(r.candidateName, 120)} added a correction to their transcript`,
        blocks: [
          section(`:memo: ${who} added a correction to ${about} (${when}).${quote(r.text)}`),
          context(
            'It is shown on the transcript page and given to any later evaluation (Re-evaluate) as the candidate’s own note.',
          ),
        ],
      };
    }
    case 'deletion': {
      const blocks: KnownBlock[] = [
        section(
          `:wastebasket: ${who} asked for their data to be deleted (${when}).${
            r.status === 'done'
              ? ''
              : r.dueAt
                ? ` It is deleted by itself ${slackDate(r.dueAt)}${r.legalHold ? ', but the interview is on legal hold: nothing is deleted while it is.' : ', unless an admin puts the interview on legal hold.'}`
                : ''
          }`,
        ),
      ];
      if (r.status === 'open') {
        blocks.push({
          type: 'actions',
          block_id: 'candidate_request_actions',
          elements: [
            r.legalHold
              ? {
                  type: 'button',
                  action_id: CANDIDATE_REQUEST_ACTIONS.releaseHold,
                  text: { type: 'plain_text', text: 'Release legal hold' },
                  value: r.requestId,
                }
              : {
                  type: 'button',
                  action_id: CANDIDATE_REQUEST_ACTIONS.legalHold,
                  text: { type: 'plain_text', text: 'Put on legal hold' },
                  value: r.requestId,
                  confirm: {
                    title: { type: 'plain_text', text: 'Put on legal hold?' },
                    text: {
                      type: 'mrkdwn',
                      text: 'The candidate’s data is kept, despite their request, until the hold is released. Only for a legal obligation (e.g. a claim or an investigation). Workspace admins only; recorded with your name.',
                    },
                    confirm: { type: 'plain_text', text: 'Put on hold' },
                    deny: { type: 'plain_text', text: 'Cancel' },
                  },
                },
          ],
        });
        if (r.legalHold)
          blocks.push(
            context(`:lock: Legal hold by <@${userText(r.legalHold.by, 40)}> ${slackDate(r.legalHold.at)}.`),
          );
        else blocks.push(context('Legal hold: workspace admins only.'));
      }
      return { text: `${userText(r.candidateName, 120)} asked for their data to be deleted`, blocks };
    }
  }
}

/** The note that replaces a thread reply Panelist posted about a candidate whose data is deleted. */
export function buildRedactedReply(deletedAt: Date): { text: string; blocks: KnownBlock[] } {
  const text = `Removed: this message named a candidate whose data was deleted on ${slackDate(deletedAt, '{date_short_pretty}')}.`;
  return { text, blocks: [context(`:wastebasket: ${text}`)] };
}

/**
 * What remains of the scheduling message: enough for an audit (which interview, which role,
 * when, how it ended, that and when the data was deleted), nothing that identifies the candidate.
 */
export function buildRedactedRoot(p: {
  interviewId: string;
  roleTitle: string;
  start: Date;
  status: string;
  deletedAt: Date;
  reason: string;
}): { text: string; blocks: KnownBlock[] } {
  const text = `AI interview for ${userText(p.roleTitle, 120)}, ${slackDate(p.start)} (${p.status.replace(/_/g, ' ')}). The candidate's data was deleted on ${slackDate(p.deletedAt, '{date_short_pretty}')} (${p.reason}).`;
  return {
    text,
    blocks: [
      section(`:wastebasket: ${text}`),
      context(`Interview ${p.interviewId}: the event log keeps its history.`),
    ],
  };
}

/** What remains of an evaluation post: its version and advisory recommendation, without quotes or names. */
export function buildRedactedEvaluation(p: {
  version: number;
  recommendation: string | null;
  deletedAt: Date;
}): { text: string; blocks: KnownBlock[] } {
  const text = `AI evaluation v${p.version}${p.recommendation ? `, recommendation (advisory): ${userText(p.recommendation, 60)}` : ''}. Its details were deleted with the candidate's data on ${slackDate(p.deletedAt, '{date_short_pretty}')}.`;
  return { text, blocks: [context(`:wastebasket: ${text}`)] };
}
