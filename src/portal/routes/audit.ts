/**
 * GET /audits/:interviewId?exp=…&sig=…[&format=json] — an interview's audit record, as a
 * readable page or as the JSON document itself. Behind the same signed, expiring links as the
 * transcript page (signed for this page: a transcript link does not open it). Server-rendered,
 * everything escaped, no script; it uses the transcript page's stylesheet.
 */
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { escapeHtml } from '../../domain/escape.js';
import { verifyLink } from '../../domain/transcript-link.js';
import { buildInterviewAudit, type TInterviewAudit } from '../../services/audit/interview-audit.js';
import { transcriptLinkSecret } from '../../services/evaluation/transcript-link.js';
import type { TPortalDeps } from '../deps.js';
import { htmlDocument } from '../html.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const e = (s: unknown) => escapeHtml(String(s ?? ''));
/** ISO time → "2026-12-03 15:04:05 UTC" (every time shown names its zone). */
const utc = (s: string | null) => (s ? `${s.slice(0, 19).replace('T', ' ')} UTC` : '–');

function page(title: string, body: string): string {
  return htmlDocument({
    title,
    stylesheet: '/transcripts/assets/transcript.css',
    head: '<meta name="robots" content="noindex,nofollow">\n',
    body,
  });
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="meta">None.</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const SOURCE_LABELS = {
  planned: 'planned',
  follow_up: 'follow-up',
  fallback: 'fallback (built-in)',
} as const;

/** The audit record as a page: every section of the JSON, in the order an auditor reads it. */
export function auditHtml(a: TInterviewAudit, jsonHref: string): string {
  const i = a.interview;
  const decisions = table(
    ['When', 'Who', 'Action', 'Why', 'On evaluation'],
    a.decisions.map((d) => [
      e(utc(d.at)),
      e(d.by),
      e(d.action),
      d.reason ? e(d.reason) : '<span class="meta">–</span>',
      d.evaluationVersion ? `v${d.evaluationVersion}` : '–',
    ]),
  );
  const evaluations = a.evaluations
    .map((ev) => {
      const comps = ev.competencies
        .map(
          (c) =>
            `<li><strong>${e(c.name)}</strong> (${e(c.key)}): ${
              c.status === 'scored'
                ? `<span class="score">${e(c.score)}</span>`
                : `<span class="insufficient">insufficient evidence</span> — ${e(c.reason)}`
            }${c.quotes.map((q) => `<blockquote>“${e(q.quote)}” <span class="tag">turn ${q.turn}</span></blockquote>`).join('')}</li>`,
        )
        .join('');
      const d = ev.discarded;
      const setAside = [
        ...(d?.unknownKeys.length ? [`Unknown competency keys: ${d.unknownKeys.map(e).join(', ')}`] : []),
        ...(d?.invalidScores ?? []).map((s) => `Off-scale score ${e(s.score)} for ${e(s.key)}`),
        ...(d?.repeatedKeys.length ? [`Repeated keys: ${d.repeatedKeys.map(e).join(', ')}`] : []),
        ...ev.droppedQuotes.map((q) => `Dropped quote (not in the answers): “${e(q)}”`),
      ];
      return `<div class="card"><h3>Evaluation v${ev.version} <span class="tag">${e(ev.status)}</span>${
        ev.recommendation
          ? ` <span class="tag">AI recommendation (advisory): ${e(ev.recommendation)}</span>`
          : ''
      }</h3><p class="meta">Posted ${e(utc(ev.postedAt))}</p>${comps ? `<ul>${comps}</ul>` : ''}${
        setAside.length > 0
          ? `<div class="warn"><strong>Set aside</strong><ul>${setAside.map((s) => `<li>${s}</li>`).join('')}</ul></div>`
          : ''
      }${ev.flags.length > 0 ? `<p class="meta">Flags: ${e(JSON.stringify(ev.flags))}</p>` : ''}</div>`;
    })
    .join('\n');
  const body = `<h1>Audit record</h1>
<p class="meta">Interview ${e(a.interviewId)} · ${e(i.role.title)} · generated ${e(utc(a.generatedAt))} · <a href="${e(jsonHref)}">JSON</a></p>
<div class="note">The AI interviews and advises; a person decides. Panelist does no emotion, tone-of-voice or facial analysis.</div>
<h2>Interview</h2>
${table(
  ['Status', 'Scheduled', 'Started', 'Ended', 'End reason', 'Accommodation', 'AI opt-out', 'Data deleted'],
  [
    [
      e(i.status),
      `${e(utc(i.scheduledStart))} – ${e(utc(i.scheduledEnd))}`,
      e(utc(i.startedAt)),
      e(utc(i.endedAt)),
      e(i.endReason ?? '–'),
      `${i.extraMinutes > 0 ? `+${i.extraMinutes} min` : '–'}${i.typedAnswersOnly ? ', typed answers' : ''}`,
      e(utc(i.aiOptOutAt)),
      e(utc(i.redactedAt)),
    ],
  ],
)}
<h2>Notice and consent</h2>
<p>Notice version <strong>${e(a.notice.version ?? 'not recorded')}</strong>.</p>
${table(
  ['Email', 'Revision', 'Status', 'Sent'],
  a.notice.deliveries.map((d) => [e(d.kind), e(d.revision), e(d.status), e(utc(d.sentAt))]),
)}
<p>${
    a.consent
      ? `Consent (lobby notice v${e(a.consent.version ?? '?')}) given ${e(utc(a.consent.at))}, answering by ${e(a.consent.mode ?? '?')}.`
      : 'No consent recorded: the interview was not started.'
  }</p>
<h2>Decisions</h2>
<p>${a.decision ? `Standing: <strong>${e(a.decision.outcome)}</strong> by ${e(a.decision.by)}, ${e(utc(a.decision.at))}.` : 'No decision stands.'}</p>
${decisions}
<h2>Model calls</h2>
<p class="meta">Question plan: ${e(a.questionPlanSource === 'built_in' ? 'built-in bank (fallback)' : a.questionPlanSource)}.</p>
${table(
  ['Purpose', 'Version', 'Model', 'Prompt', 'Rubric', 'Calls', 'Status', 'At'],
  a.modelCalls.map((m) => [
    e(m.purpose),
    `v${m.evaluationVersion}`,
    e(m.model ?? '–'),
    e(m.promptVersion ?? '–'),
    e(m.rubricVersion ?? '–'),
    e(m.calls),
    `${e(m.status)}${m.error ? ` <span class="meta">${e(m.error)}</span>` : ''}`,
    e(utc(m.at)),
  ]),
)}
<h2>Evaluations</h2>
${evaluations || '<p class="meta">None.</p>'}
<h2>Questions</h2>
${table(
  ['Turn', 'Source', 'Competency', 'Question', 'Asked', 'Answered'],
  a.questions.map((q) => [
    e(q.turn),
    e(SOURCE_LABELS[q.source]),
    e(q.competency ?? '–'),
    e(q.question),
    e(utc(q.askedAt)),
    q.answered
      ? `${e(utc(q.answeredAt))} (${e(q.answerMode ?? '?')})`
      : '<span class="insufficient">no answer</span>',
  ]),
)}
<h2>Integrity signals</h2>
${table(
  ['When', 'Signal'],
  a.integrity.map((s) => [e(utc(s.at)), e(s.type)]),
)}
<h2>Event log</h2>
${table(
  ['#', 'When', 'Type', 'Actor', 'Data'],
  a.events.map((ev) => [
    e(ev.id),
    e(utc(ev.at)),
    e(ev.type),
    e(ev.actor),
    `<code>${e(JSON.stringify(ev.data))}</code>`,
  ]),
)}`;
  return page(`Audit record ${a.interviewId}`, body);
}

export async function auditRoutes(app: FastifyInstance, deps: TPortalDeps): Promise<void> {
  app.get<{ Params: { interviewId: string }; Querystring: { exp?: string; sig?: string; format?: string } }>(
    '/audits/:interviewId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { interviewId: { type: 'string', maxLength: 64 } },
          required: ['interviewId'],
        },
        querystring: {
          type: 'object',
          properties: {
            exp: { type: 'string', maxLength: 16 },
            sig: { type: 'string', maxLength: 128 },
            format: { type: 'string', enum: ['html', 'json'] },
          },
        },
      },
    },
    async (req, reply) => {
      const isJson = req.query.format === 'json';
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
      const refuse = (status: number, heading: string, text: string) =>
        isJson
          ? reply.status(status).send({ error: heading, message: text })
          : reply
              .status(status)
              .type('text/html; charset=utf-8')
              .send(page(heading, `<div class="error"><h1>${e(heading)}</h1><p>${e(text)}</p></div>`));
      const { interviewId } = req.params;
      const check = verifyLink(
        'audit',
        { interviewId, exp: req.query.exp, sig: req.query.sig },
        transcriptLinkSecret(deps.config),
        deps.now(),
      );
      if (check === 'expired')
        return refuse(
          403,
          'This link has expired',
          'Open the transcript from the interview’s Slack thread for a fresh link.',
        );
      if (check !== 'valid' || !UUID.test(interviewId))
        return refuse(
          403,
          'This link is not valid',
          'Open the audit record from the interview’s transcript page.',
        );
      let audit: TInterviewAudit;
      try {
        audit = await buildInterviewAudit(deps, interviewId);
      } catch (err) {
        if (isAppError(err, 'not_found'))
          return refuse(404, 'Interview not found', 'This interview no longer exists.');
        throw err;
      }
      if (isJson)
        return reply
          .type('application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${interviewId}.json"`)
          .send(JSON.stringify(audit, null, 2));
      const jsonHref = `/audits/${encodeURIComponent(interviewId)}?exp=${encodeURIComponent(req.query.exp ?? '')}&sig=${encodeURIComponent(req.query.sig ?? '')}&format=json`;
      return reply.type('text/html; charset=utf-8').send(auditHtml(audit, jsonHref));
    },
  );
}
