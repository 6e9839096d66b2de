/**
 * GET /transcripts/:interviewId?exp=…&sig=… — the hiring team's transcript page: the whole
 * interview with timestamps, the evaluation, the integrity events. Reached only through a
 * signed, expiring link from the Slack thread (a wrong or altered link and an expired one get
 * 403). Server-rendered, everything escaped, no script; its stylesheet is served beside it.
 */
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../../domain/escape.js';
import type { TEvaluationResult } from '../../domain/evaluation/result.js';
import { RECOMMENDATION_LABELS, SCORE_ANCHORS, SCORE_MAX } from '../../domain/evaluation/rubric.js';
import { endedClause, tallyTranscript } from '../../domain/interview-end.js';
import { formatInZone, isValidTimeZone, zoneAbbreviation, zoneLabel } from '../../domain/time.js';
import { signLink, verifyTranscriptLink } from '../../domain/transcript-link.js';
import { succeededEvaluations } from '../../services/evaluation/stored-evaluations.js';
import { loadInterviewTranscript } from '../../services/evaluation/transcript.js';
import { transcriptLinkSecret } from '../../services/evaluation/transcript-link.js';
import { deletionReason } from '../../services/retention.js';
import type { TPortalDeps } from '../deps.js';
import { htmlDocument } from '../html.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CSS = `
:root{color-scheme:light;--ink:#1d1c1d;--muted:#616061;--line:#ddd;--accent:#1264a3;--bg:#f8f8f8;--warn:#fff4e5}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:920px;margin:0 auto;padding:24px 20px 64px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px;border-bottom:1px solid var(--line);padding-bottom:6px}h3{font-size:15px;margin:0 0 4px}
.meta{color:var(--muted);margin:0 0 12px}.note{background:#eef5fb;border-left:4px solid var(--accent);padding:10px 14px;border-radius:4px;margin:12px 0}
.warn{background:var(--warn);border-left:4px solid #e8912d;padding:10px 14px;border-radius:4px;margin:12px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:10px 0}
.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}
.rec{font-size:18px;font-weight:700}.score{font-weight:700;color:var(--accent)}.insufficient{color:var(--muted);font-style:italic}
blockquote{margin:8px 0;padding:4px 12px;border-left:3px solid var(--line);color:#333}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
.turn{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:10px 0}
.turn .time{color:var(--muted);font-size:13px;font-variant-numeric:tabular-nums}.q{font-weight:600;margin:4px 0}.a{white-space:pre-wrap;margin:6px 0 0}
.tag{display:inline-block;font-size:12px;background:#eee;border-radius:10px;padding:0 8px;margin-left:6px;color:var(--muted)}
.flag{background:var(--warn)}ul{margin:6px 0;padding-left:20px}
.error{max-width:560px;margin:80px auto;text-align:center}
`;

function page(title: string, body: string): string {
  return htmlDocument({
    title,
    stylesheet: '/transcripts/assets/transcript.css',
    head: '<meta name="robots" content="noindex,nofollow">\n',
    body,
  });
}

function errorPage(heading: string, text: string): string {
  return page(heading, `<div class="error"><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p></div>`);
}

/** Times in the recruiter's zone, each naming it, like every other time the hiring team reads. */
function clock(tz: string) {
  const zone = isValidTimeZone(tz) ? tz : 'UTC';
  return {
    zone,
    /** `Thu 3 Dec 2026, 14:30 EST (UTC-05:00)` */
    when: (d: Date) => `${formatInZone(d, zone, 'datetime')} ${zoneLabel(d, zone)}`,
    /** `14:30 EST` */
    at: (d: Date) => `${formatInZone(d, zone, 'time')} ${zoneAbbreviation(d, zone) ?? zoneLabel(d, zone)}`,
  };
}

function offset(from: Date | null, at: Date): string {
  if (!from) return '';
  const s = Math.max(0, Math.round((at.getTime() - from.getTime()) / 1000));
  const mm = String(Math.floor(s / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${mm}:${ss}`;
}

/** Paragraphs of user text: escaped; line breaks kept by CSS (pre-wrap). */
const text = (s: string) => escapeHtml(s);

function evaluationHtml(
  when: (d: Date) => string,
  ev: { version: number; model: string | null; promptVersion: string | null; createdAt: Date },
  r: TEvaluationResult,
): string {
  const comps = r.competencies
    .map((c) =>
      c.status === 'scored'
        ? `<div class="card"><h3>${text(c.name)} <span class="score">${c.score}/${SCORE_MAX}</span></h3>
<p class="meta">${text(SCORE_ANCHORS[c.score] ?? '')}</p>
${c.evidence.map((e) => `<blockquote>“${text(e.quote)}” <span class="tag">answer ${e.seq + 1}</span></blockquote>`).join('\n')}
${c.rationale ? `<p>${text(c.rationale)}</p>` : ''}</div>`
        : `<div class="card"><h3>${text(c.name)} <span class="insufficient">insufficient evidence</span></h3><p>${text(c.reason)}</p></div>`,
    )
    .join('\n');
  const list = (items: string[]) =>
    items.length === 0
      ? '<p class="meta">None noted.</p>'
      : `<ul>${items.map((s) => `<li>${text(s)}</li>`).join('')}</ul>`;
  const flags = r.flags
    .map((f) =>
      f.type === 'prompt_injection'
        ? `<li>Possible prompt injection in answer ${f.seq + 1}, ignored for scoring: “${text(f.excerpt)}”</li>`
        : f.type === 'protected_attribute'
          ? `<li>The reasoning on ${text(f.competency)} mentions “${text(f.word)}”: check it was not used as grounds.</li>`
          : `<li>A score for ${text(f.competency)} had no quote found in the transcript and is not shown.</li>`,
    )
    .join('');
  return `<div class="card"><p class="rec">${text(RECOMMENDATION_LABELS[r.recommendation])} <span class="tag">confidence ${text(r.confidence)}</span> <span class="tag">version ${ev.version}</span></p>
<p>${text(r.summary)}</p>
<p class="meta">AI-generated and advisory: a person makes the decision. Model ${text(ev.model ?? 'unknown')}, prompt ${text(ev.promptVersion ?? 'unknown')}, ${when(ev.createdAt)}.${r.droppedQuotes.length > 0 ? ` ${r.droppedQuotes.length} quote(s) the model gave were not found in the transcript and were dropped.` : ''}</p></div>
${flags ? `<div class="warn"><strong>Flags</strong><ul>${flags}</ul></div>` : ''}
${comps}
<h3>Strengths</h3>${list(r.strengths)}
<h3>Concerns</h3>${list(r.concerns)}`;
}

export async function transcriptRoutes(app: FastifyInstance, deps: TPortalDeps): Promise<void> {
  app.get('/transcripts/assets/transcript.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS),
  );

  app.get<{ Params: { interviewId: string }; Querystring: { exp?: string; sig?: string } }>(
    '/transcripts/:interviewId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { interviewId: { type: 'string', maxLength: 64 } },
          required: ['interviewId'],
        },
        querystring: {
          type: 'object',
          properties: { exp: { type: 'string', maxLength: 16 }, sig: { type: 'string', maxLength: 128 } },
        },
      },
    },
    async (req, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex, nofollow');
      const { interviewId } = req.params;
      const check = verifyTranscriptLink(
        { interviewId, exp: req.query.exp, sig: req.query.sig },
        transcriptLinkSecret(deps.config),
        deps.now(),
      );
      if (check === 'expired')
        return reply
          .status(403)
          .send(
            errorPage(
              'This link has expired',
              'Transcript links work for a limited time. Open the interview’s thread in Slack: a new evaluation (Re-evaluate) carries a fresh link.',
            ),
          );
      if (check !== 'valid' || !UUID.test(interviewId))
        return reply
          .status(403)
          .send(
            errorPage(
              'This link is not valid',
              'Open the transcript from the button in the interview’s Slack thread.',
            ),
          );

      let loaded: Awaited<ReturnType<typeof loadInterviewTranscript>>;
      try {
        loaded = await loadInterviewTranscript(deps.prisma, interviewId);
      } catch {
        return reply.status(404).send(errorPage('Interview not found', 'This interview no longer exists.'));
      }
      const { interview, transcript, integrityEvents } = loaded;
      if (interview.redactedAt) {
        // Say why it went: the candidate asked, or the retention period ran out.
        const onRequest = (await deletionReason(deps, interviewId)) === 'request';
        return reply
          .status(410)
          .send(
            errorPage(
              'Transcript removed',
              onRequest
                ? 'This interview’s personal data was deleted at the candidate’s request.'
                : 'This interview’s personal data was deleted under the retention policy.',
            ),
          );
      }
      const evaluations = await succeededEvaluations(deps, interviewId);
      const latest = evaluations.find((e) => (e.result as { kind?: string } | null)?.kind === 'scored');
      const started = transcript.startedAt;
      const time = clock(loaded.timeZone);
      const names = new Map(loaded.competencies.map((c) => [c.key, c.name]));

      const turns = transcript.turns
        .map(
          (t) => `<section class="turn" id="answer-${t.seq + 1}">
<div class="time">${started ? `${offset(started, t.askedAt)} · ` : ''}${time.at(t.askedAt)}${t.isFollowUp ? '<span class="tag">follow-up</span>' : ''}${t.competency ? `<span class="tag">${text(names.get(t.competency) ?? t.competency)}</span>` : ''}</div>
<p class="q">Q${t.seq + 1}. ${text(t.question)}</p>
${
  t.answer === null || t.answer.trim() === ''
    ? '<p class="a insufficient">No answer.</p>'
    : `<div class="time">${t.answeredAt ? `Answered ${started ? `at ${offset(started, t.answeredAt)} · ` : ''}${time.at(t.answeredAt)}` : 'Answered'}${t.answerMode ? ` · ${text(t.answerMode)}` : ''}${t.audioDurationMs ? ` · ${Math.round(t.audioDurationMs / 1000)} s of audio` : ''}</div>
<p class="a">${text(t.answer)}</p>`
}
</section>`,
        )
        .join('\n');

      const integrity =
        integrityEvents.length === 0
          ? '<p class="meta">No tab switches, pastes or long silences were recorded.</p>'
          : `<table><thead><tr><th>When</th><th>What</th></tr></thead><tbody>${integrityEvents
              .map(
                (e) =>
                  `<tr><td>${started ? `${offset(started, e.createdAt)} · ` : ''}${time.at(e.createdAt)}</td><td>${text(integrityLabel(e.type))}</td></tr>`,
              )
              .join('')}</tbody></table>`;

      // The audit page's link expires with this one.
      const audit = signLink(
        'audit',
        interviewId,
        new Date(Number(req.query.exp) * 1000),
        transcriptLinkSecret(deps.config),
      );
      const auditPath = `/audits/${encodeURIComponent(interviewId)}?exp=${audit.exp}&sig=${audit.sig}`;
      const duration =
        transcript.startedAt && transcript.endedAt
          ? `${Math.round((transcript.endedAt.getTime() - transcript.startedAt.getTime()) / 60_000)} min`
          : 'not started';
      const body = `<h1>${text(interview.candidate.name)}</h1>
<p class="meta">${text(interview.role.title)} · scheduled ${time.when(interview.scheduledStart)} · length ${duration}${interview.endReason ? ` · ${text(endedClause(interview.endReason, tallyTranscript(transcript)))}` : ''}</p>
<p class="meta">Times are in ${text(time.zone.replace(/_/g, ' '))} (the recruiter’s time zone); mm:ss counts from the start of the interview.</p>
<div class="note">Confidential: for the hiring team only. Do not forward this link.</div>
<p class="meta"><a href="${auditPath}">Audit record</a>: notice and consent, every model call and its versions, every decision with who and when.</p>
<h2>Evaluation</h2>
${latest ? evaluationHtml(time.when, latest, latest.result as unknown as TEvaluationResult) : '<p class="meta">No AI evaluation is available for this interview.</p>'}
${
  evaluations.length > 1
    ? `<p class="meta">Earlier versions: ${evaluations
        .slice(1)
        .map((e) => `v${e.version}`)
        .join(', ')} (see the Slack thread).</p>`
    : ''
}
<h2>Integrity signals</h2>
<p class="meta">Facts recorded by the interview page, not judgements.</p>
${integrity}
<h2>Transcript</h2>
${
  loaded.corrections.length > 0
    ? `<div class="warn">The candidate added ${loaded.corrections.length === 1 ? 'a correction' : `${loaded.corrections.length} corrections`} to this transcript. Each appears with the answer it is about, marked “Correction from the candidate”, and is given to any later evaluation.</div>`
    : ''
}
${turns || '<p class="meta">The candidate answered no questions.</p>'}`;
      return reply.send(page(`Transcript: ${interview.candidate.name}`, body));
    },
  );
}

function integrityLabel(type: string): string {
  const t = type.replace(/^integrity\./, '');
  if (/tab|visibility|blur/.test(t)) return 'Left the interview tab';
  if (/paste/.test(t)) return 'Pasted text into an answer';
  if (/silen/.test(t)) return 'Long silence';
  return t.replace(/[._]/g, ' ');
}
