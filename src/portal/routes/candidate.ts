/**
 * The candidate's own pages (issue 14), reached with the session key of their interview link or a
 * signed link from any email (`?i=…&exp=…&sig=…`):
 *   GET  /my-data                      their data: what is kept, download, correction, deletion
 *   GET  /my-data/transcript           the transcript as a text file
 *   POST /my-data/correction           a note attached to the transcript
 *   POST /my-data/deletion             a deletion request (carried out by itself later)
 *   GET|POST /my-data/request          an interview with a person, or an accommodation
 *   GET|POST /my-data/self-identification   the voluntary self-identification form
 * Forms are plain HTML posts that redirect back (303), so a reload never posts twice. Wrong keys
 * count against the address like on the interview link (KeyGuard). Every step is in the event log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { modelOffer } from '../../domain/model-offer.js';
import { ZSelfIdentification } from '../../domain/self-identification.js';
import { formatInZone } from '../../domain/time.js';
import { requestDeletion } from '../../services/candidate/deletion.js';
import {
  askedQuestions,
  countSucceededEvaluations,
  interviewTurns,
  openDeletionRequest,
} from '../../services/candidate/my-data.js';
import {
  addCorrection,
  correctionNotes,
  findCandidateInterview,
  REQUEST_NEEDS,
  submitAlternativeRequest,
  type TCandidateAccess,
  type TCandidateInterview,
  type TRequestNeed,
} from '../../services/candidate/requests.js';
import {
  hasSelfIdentified,
  SELF_ID_STATUSES,
  saveSelfIdentification,
} from '../../services/candidate/self-identification.js';
import { recordEvent } from '../../services/events.js';
import {
  CANDIDATE_CSS,
  renderCandidateMessage,
  renderDataPage,
  renderRequestForm,
  renderRequestSent,
  renderSelfIdentificationForm,
} from '../candidate-pages.js';
import type { TPortalDeps } from '../deps.js';
import { KeyGuard } from '../key-guard.js';
import { renderRateLimited } from '../pages.js';

const DAY_MS = 24 * 3600_000;

const ZAccessQuery = {
  type: 'object',
  properties: {
    session_key: { type: 'string', maxLength: 200 },
    i: { type: 'string', maxLength: 64 },
    exp: { type: 'string', maxLength: 16 },
    sig: { type: 'string', maxLength: 128 },
    done: { type: 'string', maxLength: 32 },
  },
} as const;

type TQuery = TCandidateAccess & { done?: string };
type TReq = FastifyRequest<{ Querystring: TQuery; Body: Record<string, string> | undefined }>;

/** The access part of the query, to carry on to every link and form of the page. */
function accessString(q: TCandidateAccess): string {
  if (q.session_key !== undefined) return `session_key=${encodeURIComponent(q.session_key)}`;
  return `i=${encodeURIComponent(q.i ?? '')}&exp=${encodeURIComponent(q.exp ?? '')}&sig=${encodeURIComponent(q.sig ?? '')}`;
}

const STATUS_TEXT: Record<string, string> = {
  scheduled: 'upcoming',
  in_progress: 'in progress',
  completed: 'completed',
  evaluated: 'completed',
  failed: 'completed',
  cancelled: 'cancelled',
  expired: 'not taken (the time passed)',
};

function inZone(d: Date, tz: string, style: 'long' | 'date'): string {
  try {
    return style === 'long' ? formatInZone(d, tz, 'long') : `${formatInZone(d, tz, 'date')}`;
  } catch {
    return style === 'long' ? formatInZone(d, 'UTC', 'long') : `${formatInZone(d, 'UTC', 'date')} (UTC)`;
  }
}

const FLASHES: Record<string, { text: string; isError?: boolean }> = {
  correction: {
    text: 'Thank you: your correction is attached to your transcript, and the hiring team was told.',
  },
  deletion: {
    text: 'Your request was sent: the hiring team was told, and your data will be deleted by the date below.',
  },
  'deletion-again': { text: 'You had already asked for your data to be deleted: nothing changed.' },
};

export async function candidateRoutes(app: FastifyInstance, deps: TPortalDeps): Promise<void> {
  const guard = new KeyGuard(deps.queues.connection, deps.queues.prefix, deps.logger);

  // Plain HTML forms post url-encoded bodies; this parser exists only inside this plugin.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/my-data/assets/candidate.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CANDIDATE_CSS),
  );

  /** The interview the page is for, or undefined after sending the page that says why not. */
  async function open(req: TReq, reply: FastifyReply): Promise<TCandidateInterview | undefined> {
    reply
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex, nofollow')
      .type('text/html; charset=utf-8');
    // The key first: a valid one is served without asking the limiter (key-guard.ts).
    const found = await findCandidateInterview(deps, req.query);
    if (found.kind === 'ok') return found.interview;
    if (found.kind === 'deleted') {
      reply
        .status(410)
        .send(
          renderCandidateMessage(
            'Your data has been deleted',
            `Everything about this interview that could identify you has been deleted. If you have questions, reply to an email from ${deps.config.mail.companyName}.`,
          ),
        );
      return undefined;
    }
    if (found.kind === 'expired') {
      reply
        .status(403)
        .send(
          renderCandidateMessage(
            'This link has expired',
            `Reply to an email from ${deps.config.mail.companyName} and they will send you a new one.`,
          ),
        );
      return undefined;
    }
    if (await guard.miss(req.ip)) {
      reply.status(429).send(renderRateLimited());
      return undefined;
    }
    reply
      .status(404)
      .send(
        renderCandidateMessage(
          'This link is not valid',
          'The link may be incomplete. Open it again from the most recent email about your interview.',
        ),
      );
    return undefined;
  }

  const schema = { querystring: ZAccessQuery };

  app.get('/my-data', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    const tz = interview.candidate.timeZone;
    const [turns, corrections, evaluations, deletion, selfIdentified] = await Promise.all([
      askedQuestions(deps, interview.id),
      correctionNotes(deps.prisma, interview.id),
      countSucceededEvaluations(deps, interview.id),
      openDeletionRequest(deps, interview.id),
      hasSelfIdentified(deps, interview.id),
    ]);
    const finished = !['scheduled', 'in_progress'].includes(interview.status);
    return reply.send(
      renderDataPage({
        company: deps.config.mail.companyName,
        roleTitle: interview.role.title,
        candidateName: interview.candidate.name,
        candidateEmail: interview.candidate.email,
        whenText: inZone(interview.scheduledStart, tz, 'long'),
        statusText: STATUS_TEXT[interview.status] ?? interview.status,
        answers: turns,
        hasEvaluation: evaluations > 0,
        corrections: corrections.map((c) => ({
          about: c.turnSeq === null ? 'Your transcript in general' : `Answer ${c.turnSeq + 1}`,
          text: c.text,
          addedText: `added ${inZone(c.createdAt, tz, 'date')}`,
        })),
        keptUntilText: finished
          ? inZone(
              new Date(interview.scheduledEnd.getTime() + deps.config.retentionDays * DAY_MS),
              tz,
              'date',
            )
          : null,
        retentionDays: deps.config.retentionDays,
        deletion: deletion
          ? {
              requestedText: inZone(deletion.createdAt, tz, 'date'),
              dueText: inZone(deletion.dueAt ?? deletion.createdAt, tz, 'date'),
              onHold: interview.legalHoldAt !== null,
            }
          : null,
        deletionDays: deps.config.candidateRights.deletionRequestDays,
        access: accessString(req.query),
        canRequest: interview.status === 'scheduled' && interview.aiOptOutAt === null,
        canSelfIdentify: SELF_ID_STATUSES.includes(interview.status) && !selfIdentified,
        flash: req.query.done ? FLASHES[req.query.done] : undefined,
      }),
    );
  });

  app.get('/my-data/transcript', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    const [turns, corrections] = await Promise.all([
      interviewTurns(deps, interview.id),
      correctionNotes(deps.prisma, interview.id),
    ]);
    const tz = interview.candidate.timeZone;
    const lines = [
      `Interview transcript: ${interview.role.title} at ${deps.config.mail.companyName}`,
      `Candidate: ${interview.candidate.name}`,
      `Scheduled: ${inZone(interview.scheduledStart, tz, 'long')}`,
      `Downloaded: ${inZone(deps.now(), tz, 'long')}`,
      '',
    ];
    if (turns.length === 0) lines.push('No questions were asked: the interview has not taken place.', '');
    for (const t of turns) {
      lines.push(
        `Question ${t.seq + 1}${t.isFollowUp ? ' (follow-up)' : ''}: ${t.question}`,
        `Your answer${t.answerMode ? ` (${t.answerMode})` : ''}: ${t.answerText?.trim() ? t.answerText : '(no answer)'}`,
        '',
      );
    }
    if (corrections.length > 0) {
      lines.push('Your corrections', '');
      for (const c of corrections)
        lines.push(
          `${c.turnSeq === null ? 'In general' : `Answer ${c.turnSeq + 1}`} (added ${inZone(c.createdAt, tz, 'date')}): ${c.text}`,
          '',
        );
    }
    await recordEvent(deps.prisma, {
      interviewId: interview.id,
      type: 'candidate.transcript_downloaded',
      actor: 'candidate',
      data: { turns: turns.length },
    });
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="interview-transcript.txt"')
      .send(lines.join('\n'));
  });

  app.post('/my-data/correction', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    const body = req.body ?? {};
    const turn = body.turn === undefined || body.turn === '' ? null : Number(body.turn);
    try {
      await addCorrection(deps, interview, {
        text: body.text ?? '',
        turnSeq: turn !== null && Number.isInteger(turn) && turn >= 0 ? turn : null,
      });
    } catch (err) {
      if (!isAppError(err, 'invalid_input')) throw err;
      return reply.status(400).send(
        renderCandidateMessage('The correction was not saved', err.message, {
          label: 'Back to your data',
          href: `/my-data?${accessString(req.query)}`,
        }),
      );
    }
    return reply.redirect(`/my-data?${accessString(req.query)}&done=correction`, 303);
  });

  app.post('/my-data/deletion', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    const { isNew } = await requestDeletion(deps, interview);
    return reply.redirect(
      `/my-data?${accessString(req.query)}&done=${isNew ? 'deletion' : 'deletion-again'}`,
      303,
    );
  });

  const requestPage = (interview: TCandidateInterview, req: TReq, error?: string) =>
    renderRequestForm({
      company: deps.config.mail.companyName,
      roleTitle: interview.role.title,
      whenText: inZone(interview.scheduledStart, interview.candidate.timeZone, 'long'),
      hasModel: modelOffer(deps.config.ai).evaluates,
      access: accessString(req.query),
      error,
    });

  app.get('/my-data/request', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    if (interview.status !== 'scheduled')
      return reply.send(
        renderCandidateMessage(
          'This interview can no longer be changed here',
          `It is ${STATUS_TEXT[interview.status] ?? interview.status}. Reply to your invitation email and the hiring team will help.`,
          { label: 'Your data', href: `/my-data?${accessString(req.query)}` },
        ),
      );
    return reply.send(requestPage(interview, req));
  });

  app.post('/my-data/request', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    const need = req.body?.need;
    if (!need || !(REQUEST_NEEDS as readonly string[]).includes(need))
      return reply.status(400).send(requestPage(interview, req, 'Choose what you need.'));
    try {
      const { request, isNew } = await submitAlternativeRequest(deps, interview, {
        need: need as TRequestNeed,
        text: req.body?.text,
      });
      return reply.send(
        renderRequestSent({
          company: deps.config.mail.companyName,
          roleTitle: interview.role.title,
          kind: request.kind === 'alternative' ? 'alternative' : 'accommodation',
          isNew,
          recruiterContact: interview.recruiterEmail ?? `The hiring team at ${deps.config.mail.companyName}`,
          access: accessString(req.query),
        }),
      );
    } catch (err) {
      if (!isAppError(err, 'invalid_state')) throw err;
      return reply.status(409).send(requestPage(interview, req, err.message));
    }
  });

  const selfIdPage = (req: TReq, answered: boolean, error?: string) =>
    renderSelfIdentificationForm({
      company: deps.config.mail.companyName,
      access: accessString(req.query),
      answered,
      error,
    });

  app.get('/my-data/self-identification', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    if (!SELF_ID_STATUSES.includes(interview.status))
      return reply.send(
        renderCandidateMessage(
          'Not yet',
          'This optional form is offered after your interview. Come back to this link once you have taken it.',
          { label: 'Your data', href: `/my-data?${accessString(req.query)}` },
        ),
      );
    return reply.send(selfIdPage(req, req.query.done === 'saved'));
  });

  app.post('/my-data/self-identification', { schema }, async (req: TReq, reply) => {
    const interview = await open(req, reply);
    if (!interview) return reply;
    if (!SELF_ID_STATUSES.includes(interview.status))
      return reply
        .status(409)
        .send(renderCandidateMessage('Not yet', 'This optional form is offered after your interview.'));
    const parsed = ZSelfIdentification.safeParse({ sex: req.body?.sex, raceEthnicity: req.body?.race });
    if (!parsed.success)
      return reply
        .status(400)
        .send(
          selfIdPage(req, false, 'Choose one answer in each group ("I decline to answer" is one of them).'),
        );
    await saveSelfIdentification(deps, interview.id, parsed.data);
    return reply.redirect(`/my-data/self-identification?${accessString(req.query)}&done=saved`, 303);
  });
}
