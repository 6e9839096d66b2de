/**
 * Around the evaluation post: the no-show path of the maintenance job, "AI evaluation is not
 * configured", the buttons (through real Bolt behind the real Fastify receiver, with signed
 * requests), and the signed transcript page.
 */
import { App } from '@slack/bolt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerEvaluationActions } from '../../src/bot/listeners/actions/evaluation.js';
import { FastifySlackReceiver } from '../../src/bot/receiver.js';
import { signTranscriptLink } from '../../src/domain/transcript-link.js';
import { JOBS } from '../../src/infra/queue/catalogue.js';
import { maintenanceHandler, scheduleMaintenance } from '../../src/jobs/handlers/maintenance.js';
import { buildPortal } from '../../src/portal/app.js';
import { expireNoShows } from '../../src/services/lifecycle/expire-no-shows.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import {
  actionFromBlocks,
  blockActionsPayload,
  interactionBody,
  sendSlackRequest,
} from '../../tools/slack-emulator/signing.js';
import {
  CHANNEL,
  GOOD_TURNS,
  RECRUITER,
  scriptedModel,
  seedInterview,
  startHarness,
  type THarness,
} from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as the emulator stored it.
type B = any;
const replies = (thread: SlackMessage[]) => thread.slice(1);
const textOf = (m: SlackMessage) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;

let h: THarness;
let bolt: FastifyInstance;
let endpoint: string;

beforeAll(async () => {
  h = await startHarness();
  const receiver = new FastifySlackReceiver({
    signingSecret: h.config.slack.signingSecret!,
    logger: h.deps.logger,
  });
  const app = new App({
    receiver,
    token: 'xoxb-test-token',
    tokenVerificationEnabled: false,
    clientOptions: { slackApiUrl: h.config.slack.apiUrl! },
  });
  registerEvaluationActions(app, h.deps);
  bolt = Fastify();
  await bolt.register(receiver.plugin);
  await bolt.listen({ host: '127.0.0.1', port: 0 });
  const address = bolt.server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
});
afterAll(async () => {
  await bolt?.close();
  await h?.close();
});

function click(message: SlackMessage, actionId: string, user = 'U_HIRING') {
  const body = interactionBody(
    blockActionsPayload({
      user,
      channel: CHANNEL,
      message: message as unknown as Parameters<typeof blockActionsPayload>[0]['message'] & object,
      actions: [actionFromBlocks(message.blocks, actionId)],
      triggerId: h.slack.issueTriggerId(user),
    }),
  );
  return sendSlackRequest(endpoint, body, h.config.slack.signingSecret!);
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('no-shows and window closes (maintenance: expire_no_shows)', () => {
  it('expires a scheduled interview whose window closed and says "Candidate did not join" in the thread, once', async () => {
    const now = new Date('2030-03-04T15:00:00Z');
    h.setNow(now);
    try {
      // Ended 11 minutes ago: past the 10-minute grace, so the window is closed.
      const gone = await seedInterview(h, {
        turns: [],
        status: 'scheduled',
        start: new Date(now.getTime() - 41 * 60_000),
        candidateName: 'Nora <!channel> Noshow',
      });
      // Ended 9 minutes ago: still inside the grace period.
      const late = await seedInterview(h, {
        turns: [],
        status: 'scheduled',
        start: new Date(now.getTime() - 39 * 60_000),
      });
      const handler = maintenanceHandler(h.deps);
      const ctx = { job: {} as never, isFinalAttempt: false, logger: h.deps.logger };
      const [first, second] = await Promise.all([
        handler(JOBS.maintenance.payload.parse({ task: 'expire_no_shows' }), ctx),
        handler(JOBS.maintenance.payload.parse({ task: 'expire_no_shows' }), ctx),
      ]);
      expect([(first as B).expired, (second as B).expired].sort()).toEqual([0, 1]);
      expect((await h.deps.prisma.interview.findUniqueOrThrow({ where: { id: gone.id } })).status).toBe(
        'expired',
      );
      expect((await h.deps.prisma.interview.findUniqueOrThrow({ where: { id: late.id } })).status).toBe(
        'scheduled',
      );
      const jobs = await h.deps.queues.queue('evaluation').getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs.filter((j) => j.data.interviewId === gone.id).map((j) => j.data)).toEqual([
        { interviewId: gone.id, version: 1, reason: 'no_show' },
      ]);

      await h.runHandler({ interviewId: gone.id, version: 1, reason: 'no_show' });
      await h.runHandler({ interviewId: gone.id, version: 1, reason: 'no_show' });
      const thread = h.thread(gone);
      expect(replies(thread)).toHaveLength(1);
      const section = (replies(thread)[0]!.blocks as B[])[0].text.text as string;
      expect(section).toMatch(
        /^:no_entry_sign: \*Candidate did not join\.\* Nora &lt;!channel&gt; Noshow did not start/,
      );
      expect(section).toContain(`<!date^${Math.floor((now.getTime() - 41 * 60_000) / 1000)}^`);
      expect(textOf(thread[0]!)).toContain(':ghost: Candidate did not join');
      expect(h.slack.violations).toEqual([]);
    } finally {
      h.setNow(undefined);
      await h.deps.queues.queue('evaluation').obliterate({ force: true });
    }
  });

  it('completes an in-progress interview whose window closed exactly once, racing the portal, and evaluates it', async () => {
    const now = new Date('2030-05-06T15:00:00Z');
    h.setNow(now);
    try {
      const running = await seedInterview(h, {
        turns: GOOD_TURNS,
        status: 'in_progress',
        start: new Date(now.getTime() - 45 * 60_000),
      });
      // The portal ends it at the same moment with its own conditional update, and enqueues if it won.
      const portal = async () => {
        const moved = await h.deps.prisma.interview.updateMany({
          where: { id: running.id, status: 'in_progress' },
          data: { status: 'completed', endReason: 'time_up' },
        });
        if (moved.count === 1)
          await h.deps.queues.enqueue(
            'evaluation',
            { interviewId: running.id, version: 1, reason: 'completed' },
            { jobId: `evaluation-${running.id}-v1` },
          );
        return moved.count;
      };
      const [portalMoved, sweep] = await Promise.all([portal(), expireNoShows(h.deps)]);
      expect(portalMoved + sweep.completed).toBe(1);
      const after = await h.deps.prisma.interview.findUniqueOrThrow({ where: { id: running.id } });
      expect(after.status).toBe('completed');
      expect((await expireNoShows(h.deps)).completed).toBe(0);
      const jobs = await h.deps.queues.queue('evaluation').getJobs(['waiting', 'prioritized', 'delayed']);
      expect(jobs.filter((j) => j.data.interviewId === running.id).map((j) => [j.id, j.data.reason])).toEqual(
        [[`evaluation-${running.id}-v1`, 'completed']],
      );
      await h.runHandler({ interviewId: running.id, version: 1, reason: 'completed' });
      expect(replies(h.thread(running))).toHaveLength(1);
    } finally {
      h.setNow(undefined);
      await h.deps.queues.queue('evaluation').obliterate({ force: true });
    }
  });
});

describe('maintenance schedule', () => {
  it('registers one repeating expire_no_shows job, however often it is called', async () => {
    await scheduleMaintenance(h.deps.queues);
    await scheduleMaintenance(h.deps.queues);
    const schedulers = await h.deps.queues.queue('maintenance').getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every, s.template?.data])).toEqual([
      ['expire-no-shows', 60_000, { task: 'expire_no_shows' }],
    ]);
    await h.deps.queues.queue('maintenance').obliterate({ force: true });
  });
});

describe('without a model', () => {
  it('says plainly no AI evaluation runs and where to set one up, links the transcript, offers no Re-evaluate, keeps the interview completed', async () => {
    const ai = h.deps.ai;
    h.deps.ai = undefined;
    try {
      const interview = await seedInterview(h, { turns: GOOD_TURNS });
      await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
      await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
      const posts = replies(h.thread(interview));
      expect(posts).toHaveLength(1);
      expect((posts[0]!.blocks as B[])[0].text.text).toBe(
        ':information_source: *The interview with Ada Lovelace has ended.* No AI evaluation runs on this installation: no model is connected, so there are no scores. Read the transcript to decide. To set one up, see "Connect a model" in the README: set OPENAI_API_KEY, or OPENAI_BASE_URL for a self-hosted model.',
      );
      expect((posts[0]!.blocks as B[])[1].elements[0].url).toContain(`/transcripts/${interview.id}?exp=`);
      expect((posts[0]!.blocks as B[])[1].elements.map((e: B) => e.text.text)).not.toContain('Re-evaluate');
      expect((await h.deps.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } })).status).toBe(
        'completed',
      );
      expect(
        await h.deps.prisma.event.count({
          where: { interviewId: interview.id, type: 'evaluation.not_configured' },
        }),
      ).toBe(1);
    } finally {
      h.deps.ai = ai;
    }
  });
});

describe('buttons on the evaluation post', () => {
  it('Re-evaluate posts a note and then a new version, posted as such; two clicks at once make one version', async () => {
    h.openai.setChatHandler(scriptedModel({}));
    const interview = await seedInterview(h, { turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const post = replies(h.thread(interview))[0]!;

    const [a, b] = await Promise.all([
      click(post, 'evaluation_reevaluate'),
      click(post, 'evaluation_reevaluate'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const note = await until(() => replies(h.thread(interview)).find((m) => m.text.startsWith(':repeat:')));
    expect(note.text).toBe(':repeat: Re-evaluation requested by <@U_HIRING>: version 2 will be posted here.');
    await new Promise((r) => setTimeout(r, 200));
    expect(replies(h.thread(interview)).filter((m) => m.text.startsWith(':repeat:'))).toHaveLength(1);
    const jobs = await h.deps.queues.queue('evaluation').getJobs(['waiting', 'prioritized', 'delayed']);
    const mine = jobs.filter((j) => j.data.interviewId === interview.id);
    expect(mine.map((j) => [j.id, j.data])).toEqual([
      [
        `evaluation-${interview.id}-v2`,
        { interviewId: interview.id, version: 2, reason: 'reevaluate', requestedBy: 'U_HIRING' },
      ],
    ]);
    await h.deps.queues.queue('evaluation').obliterate({ force: true });

    await h.runHandler(mine[0]!.data);
    const v2 = replies(h.thread(interview)).at(-1)!;
    expect((v2.blocks as B[])[0].text.text).toBe('Evaluation v2: Ada Lovelace');
    expect((v2.blocks as B[])[1].text.text).toContain(
      '_Re-evaluation, version 2, requested by <@U_HIRING>. Earlier versions stay above._',
    );
    expect(await h.deps.prisma.evaluation.count({ where: { interviewId: interview.id } })).toBe(2);
  });

  it('Request human review is recorded and shown in the thread, once per person', async () => {
    h.openai.setChatHandler(scriptedModel({}));
    const interview = await seedInterview(h, { turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const post = replies(h.thread(interview))[0]!;
    await click(post, 'evaluation_request_review', 'U_HIRING');
    await until(() => replies(h.thread(interview)).find((m) => m.text.includes('requested a human review')));
    await click(post, 'evaluation_request_review', 'U_HIRING');
    await click(post, 'evaluation_request_review', RECRUITER);
    await until(async () =>
      (await h.deps.prisma.event.count({
        where: { interviewId: interview.id, type: 'evaluation.human_review_requested' },
      })) === 2
        ? true
        : undefined,
    );
    await until(() =>
      h.slack.messages.find((m) => m.ephemeralTo === 'U_HIRING' && m.text.includes('already asked')),
    );
    const notes = replies(h.thread(interview)).filter((m) => m.text.includes('requested a human review'));
    expect(notes.map((m) => m.text)).toEqual([
      ':raising_hand: <@U_HIRING> requested a human review of the evaluation. The hiring team should read the transcript before deciding.',
      `:raising_hand: <@${RECRUITER}> requested a human review of the evaluation. The hiring team should read the transcript before deciding.`,
    ]);
    const events = await h.deps.prisma.event.findMany({
      where: { interviewId: interview.id, type: 'evaluation.human_review_requested' },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.actor, e.data])).toEqual([
      ['slack:U_HIRING', { version: 1 }],
      [`slack:${RECRUITER}`, { version: 1 }],
    ]);
  });

  it('acks the View transcript button (Slack sends an action for URL buttons too)', async () => {
    h.openai.setChatHandler(scriptedModel({}));
    const interview = await seedInterview(h, { turns: GOOD_TURNS });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const res = await click(replies(h.thread(interview))[0]!, 'evaluation_view_transcript');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
  });
});

describe('transcript page', () => {
  it('shows transcript, evaluation and integrity events to a valid link, escaped, and 403 to tampered or expired links', async () => {
    h.openai.setChatHandler(scriptedModel({}));
    const interview = await seedInterview(h, {
      turns: [
        GOOD_TURNS[0]!,
        { ...GOOD_TURNS[1]!, a: `${GOOD_TURNS[1]!.a} <script>alert("x")</script> & more.` },
      ],
      candidateName: 'Ada <b>Lovelace</b>',
      integrity: ['integrity.tab_hidden', 'integrity.paste'],
    });
    await h.runHandler({ interviewId: interview.id, version: 1, reason: 'completed' });
    const portal = await buildPortal(h.deps);
    try {
      const url = new URL((replies(h.thread(interview))[0]!.blocks as B[]).at(-1).elements[0].url);
      const ok = await portal.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['cache-control']).toBe('no-store');
      expect(ok.headers['content-security-policy']).toContain("script-src 'self'");
      expect(ok.body).toContain('<h1>Ada &lt;b&gt;Lovelace&lt;/b&gt;</h1>');
      expect(ok.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more.');
      expect(ok.body).not.toContain('<script');
      expect(ok.body).toContain('Q1. Tell me about a system you designed that had to survive failures.');
      // Times are in the recruiter's zone (the slot's, America/New_York here), each naming it.
      expect(ok.body).toMatch(/00:15 · \d\d:\d\d E[SD]T/);
      expect(ok.body).toContain('Times are in America/New York (the recruiter’s time zone)');
      expect(ok.body).not.toContain(' UTC');
      expect(ok.body).toContain('<p class="rec">Hire');
      expect(ok.body).toContain('Left the interview tab');
      expect(ok.body).toContain('Pasted text into an answer');
      const css = await portal.inject({ method: 'GET', url: '/transcripts/assets/transcript.css' });
      expect(css.statusCode).toBe(200);

      const sig = url.searchParams.get('sig')!;
      const exp = url.searchParams.get('exp')!;
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
      const tampered = [
        `/transcripts/${interview.id}?exp=${exp}&sig=${flipped}`,
        `/transcripts/${interview.id}?exp=${Number(exp) + 86_400}&sig=${sig}`,
        `/transcripts/${interview.id}?exp=${exp}`,
        `/transcripts/00000000-0000-4000-8000-000000000000?exp=${exp}&sig=${sig}`,
      ];
      for (const path of tampered) {
        const res = await portal.inject({ method: 'GET', url: path });
        expect(res.statusCode, path).toBe(403);
        expect(res.body).toContain('This link is not valid');
        expect(res.body).not.toContain('Lovelace');
      }
      const past = signTranscriptLink(
        interview.id,
        new Date(Date.now() - 1000),
        h.config.transcriptLinks.secret!,
      );
      const expired = await portal.inject({
        method: 'GET',
        url: `/transcripts/${interview.id}?exp=${past.exp}&sig=${past.sig}`,
      });
      expect(expired.statusCode).toBe(403);
      expect(expired.body).toContain('This link has expired');
    } finally {
      await portal.close();
    }
  });
});
