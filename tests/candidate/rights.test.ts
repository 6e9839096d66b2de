/**
 * Candidates' rights (issue 14), end to end through the real pieces: Slack requests signed as Slack
 * signs them against the local Web API server, the portal over HTTP, real BullMQ workers (booking,
 * notify, email, candidate_request, maintenance), a real SMTP server, PostgreSQL, and a fake clock
 * for the deadlines.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateTranscript } from '../../src/infra/ai/evaluator.js';
import { createMailer } from '../../src/infra/mail/mailer.js';
import type { TWorkerDeps } from '../../src/jobs/deps.js';
import { loadInterviewTranscript } from '../../src/services/evaluation/transcript.js';
import { transcriptLinkFor } from '../../src/services/evaluation/transcript-link.js';
import type { SlackMessage } from '../../tools/slack-emulator/emulator.js';
import { type OpenAiServer, startOpenAiServer } from '../helpers/openai-server.js';
import { type CapturedMail, type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';
import { CHANNEL, RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

vi.setConfig({ testTimeout: 60_000 });

const NOW = new Date('2026-03-06T12:00:00Z'); // a Friday
const DAY = 86_400_000;
const day = (d: number) => new Date(NOW.getTime() + d * DAY);
const ADMIN = 'U_ADMIN';

let s: TStack;
let smtp: SmtpTestServer;
let roleId: string;
let slots: Array<{ id: string; startsAt: Date }>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  s = await startStack({
    now: NOW,
    config: {
      mail: { smtpUrl: smtp.url, from: 'Acme Interviews <interviews@acme.test>', companyName: 'Acme' },
    },
  });
  s.slack.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/Berlin', isAdmin: true });
  (s.deps as TWorkerDeps).mailer = createMailer(s.config, s.deps.logger, { timeoutMs: 5000 });
  const seeded = await seed(s.deps, [
    { startsAt: day(3), capacity: 3, durationMinutes: 30 }, // Mon 9 Mar: inside a 10-business-day notice
    { startsAt: day(15), capacity: 1, durationMinutes: 30 }, // Sat 21 Mar: outside it
    { startsAt: day(16), capacity: 1, durationMinutes: 30 },
    { startsAt: day(17), capacity: 3, durationMinutes: 30 },
  ]);
  roleId = seeded.role.id;
  slots = seeded.slots.map((x) => ({ id: x.id, startsAt: x.startsAt }));
  s.startWorkers(['booking', 'notify', 'email', 'candidate_request', 'maintenance']);
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openScheduleModal() {
  const opened = s.slack.callsTo('views.open').length;
  expect((await s.command('/schedule-interview')).status).toBe(200);
  await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
  // On a busy machine the form may open as a loading view first and be filled in by views.update.
  return until('the scheduling form', () => {
    const view = s.slack.openModal(RECRUITER);
    return view?.callback_id === 'schedule_interview' && JSON.stringify(view.blocks).includes('"slot"')
      ? view
      : undefined;
  });
}

function scheduleValues(name: string, email: string, slotId: string) {
  return {
    candidate_name: { candidate_name: name },
    candidate_email: { candidate_email: email },
    candidate_tz: { candidate_tz: { text: 'America/New_York', value: 'America/New_York' } },
    role: { role: { text: 'Backend Engineer', value: roleId } },
    slot: { slot: slotId },
  };
}

/** Books through the modal and waits for the invite; returns the interview, its root message and key. */
async function book(name: string, email: string, slotId: string) {
  const view = await openScheduleModal();
  const res = await s.submit(view, scheduleValues(name, email, slotId));
  expect(res.json).toMatchObject({ response_action: 'update' });
  s.slack.closeView(view.id);
  const invite = await until(`the invite to ${email}`, () =>
    smtp.messages.find(
      (m) => m.envelope.rcptTo.includes(email) && /invitation/i.test(m.parsed.subject ?? ''),
    ),
  );
  const interview = await s.db.prisma.interview.findFirstOrThrow({ where: { candidate: { email } } });
  const root = s.slack.messagesIn(CHANNEL).find((m) => m.ts === interview.slackThreadTs)!;
  const key = /session_key=([A-Za-z0-9_-]+)/.exec(invite.parsed.text ?? '')?.[1];
  expect(key).toBeTruthy();
  return { interview, root, key: key!, invite };
}

const local = (url: string) => url.replace(s.config.publicUrl, s.url);

function linkIn(mail: CapturedMail, path: string): string {
  const m = new RegExp(`(http://portal\\.test${path.replace(/\//g, '\\/')}\\?[^\\s"<>]+)`).exec(
    mail.parsed.text ?? '',
  );
  if (!m?.[1]) throw new Error(`no ${path} link in the email`);
  return m[1];
}

const get = (url: string) => fetch(local(url), { redirect: 'manual' });
const post = (url: string, fields: Record<string, string>) =>
  fetch(local(url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

function threadPost(root: SlackMessage, match: RegExp) {
  return until(`a thread post matching ${match}`, () =>
    s.slack.thread(CHANNEL, root.ts).find((m) => m.ts !== root.ts && match.test(m.text)),
  );
}

function current(root: SlackMessage, ts: string): SlackMessage {
  return s.slack.thread(CHANNEL, root.ts).find((m) => m.ts === ts)!;
}

async function runTask(task: 'deletion_requests' | 'slack_redaction' | 'retention', id: string) {
  await s.deps.queues.enqueue('maintenance', { task }, { jobId: id });
  await until(`maintenance ${id}`, async () => {
    const job = await s.deps.queues.queue('maintenance').getJob(id);
    const state = await job?.getState();
    if (state === 'failed') throw new Error(`maintenance ${id} failed: ${job?.failedReason}`);
    return state === 'completed';
  });
}

describe('notice period', () => {
  it('is a workspace setting an admin changes in Slack; the form then refuses a slot inside it, naming the earliest allowed date', async () => {
    const settingsReply = async (text: string, user: string) => {
      const before = s.slack.ephemeralsFor(user).length;
      expect((await s.command('/interview-settings', text, { user })).status).toBe(200);
      return until('the settings reply', () => s.slack.ephemeralsFor(user).slice(before)[0]?.text);
    };
    // Not an admin: refused, nothing changes.
    expect(await settingsReply('notice 10', RECRUITER)).toContain(
      '/interview-settings is for Panelist admins',
    );
    expect(await s.db.prisma.workspaceSettings.count()).toBe(0);
    expect(await settingsReply('', ADMIN)).toContain(
      'Minimum notice before an AI interview: off (0 business days) (the installation default',
    );
    expect(await settingsReply('notice ten', ADMIN)).toMatch(/^Usage: /);
    expect(await settingsReply('notice 61', ADMIN)).toContain('from 0 (off) to 60');
    expect(await settingsReply('notice 10', ADMIN)).toContain(
      'Minimum notice before an AI interview is now 10 business days (was off (0 business days)).',
    );
    try {
      const view = await openScheduleModal();
      const refused = await s.submit(view, scheduleValues('Nia', 'nia@example.com', slots[0]!.id));
      // Told on Friday 6 March: ten business days later is Friday 20 March (the recruiter's zone).
      expect(refused.json).toEqual({
        response_action: 'errors',
        errors: {
          slot: 'Too soon: candidates must be told at least 10 business days before an AI interview. The earliest allowed date is Fri 20 Mar 2026 (America/New_York). Pick a later slot.',
        },
      });
      expect(await s.db.prisma.interview.count({ where: { candidate: { email: 'nia@example.com' } } })).toBe(
        0,
      );
      s.slack.closeView(view.id);
      const changed = await s.db.prisma.event.findFirstOrThrow({
        where: { type: 'settings.min_notice_changed' },
      });
      expect([changed.actor, changed.data]).toEqual([
        `slack:${ADMIN}`,
        { teamId: expect.any(String), from: 0, to: 10 },
      ]);
      expect(await settingsReply('', ADMIN)).toContain(`10 business days, set by <@${ADMIN}>`);
    } finally {
      expect(await settingsReply('notice 0', ADMIN)).toContain('is now off (0 business days)');
    }
  });
});

describe('notice and opting out', () => {
  it('the invite carries the notice; asking for a person stops the AI interview; "Offer a human interview" cancels it once, frees the seat and emails the candidate', async () => {
    const { interview, root, key, invite } = await book('Ann Lee', 'ann@example.com', slots[1]!.id);
    const text = invite.parsed.text ?? '';
    // No model in this stack: the notice promises no AI evaluation.
    expect(text).toContain('About this interview');
    expect(text).toContain('No AI evaluates your answers: people on the hiring team read them.');
    expect(text).toContain('System design: Designs for failure and scale');
    expect(text).toContain('A person makes the decision.');
    expect(text).toContain('No emotion, tone-of-voice or facial analysis.');
    expect(text).toContain('deleted 180 days after the interview');
    expect(invite.parsed.html).toContain('An alternative or an accommodation');
    // The send is recorded just after the server accepts it.
    const sentEvent = await until('the email.sent event', () =>
      s.db.prisma.event.findFirst({ where: { interviewId: interview.id, type: 'email.sent' } }),
    );
    expect(sentEvent?.data).toMatchObject({ kind: 'invite', noticeVersion: '2026-12-03.no-model' });

    const form = await get(linkIn(invite, '/my-data/request'));
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('What do you need?');
    const sent = await post(linkIn(invite, '/my-data/request'), {
      need: 'human_interview',
      text: 'I would rather talk to a person. <!channel>',
    });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('Your request was sent');
    expect(
      (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } })).aiOptOutAt,
    ).not.toBeNull();

    const request = await threadPost(root, /asked for an interview with a person/);
    expect(JSON.stringify(request.blocks)).toContain('candidate_offer_human');
    // What the candidate typed cannot ping the channel.
    expect(JSON.stringify(request.blocks)).toContain('&lt;!channel&gt;');

    // The lobby no longer opens the AI interview.
    s.setNow(new Date(slots[1]!.startsAt.getTime() - 10 * 60_000));
    const lobby = await fetch(`${s.url}/interview?session_key=${key}`);
    expect(await lobby.text()).toContain('You asked for an interview with a person');
    s.setNow(NOW);

    const [a, b] = await Promise.all([
      s.clickInMessage(CHANNEL, request, 'candidate_offer_human'),
      s.clickInMessage(CHANNEL, request, 'candidate_offer_human'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const cancelMail = await until('the cancellation email', () =>
      smtp.messages.find(
        (m) => m.envelope.rcptTo.includes('ann@example.com') && /person instead/.test(m.parsed.subject ?? ''),
      ),
    );
    expect(cancelMail.parsed.text).toContain('You will not be evaluated by AI.');
    expect(cancelMail.parsed.text).toContain(
      'rita@acme.test will contact you to arrange an interview with a person.',
    );
    const after = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } });
    expect(after.status).toBe('cancelled');
    expect((await s.db.prisma.slot.findUniqueOrThrow({ where: { id: slots[1]!.id } })).seatsTaken).toBe(0);
    expect(
      await s.db.prisma.event.count({
        where: { interviewId: interview.id, type: 'candidate.human_interview_offered' },
      }),
    ).toBe(1);
    const cancelled = await s.db.prisma.event.findMany({
      where: { interviewId: interview.id, type: 'interview.cancelled' },
    });
    expect(cancelled.map((e) => [e.actor, (e.data as { reason?: string }).reason])).toEqual([
      [`slack:${RECRUITER}`, 'human_interview_offered'],
    ]);
    const cancelJobs = (
      await s.deps.queues.queue('email').getJobs(['waiting', 'delayed', 'active', 'completed'])
    ).filter((j) => j.data.interviewId === interview.id && j.data.kind === 'cancel');
    expect(cancelJobs).toHaveLength(1);
    // Never evaluated by AI: no evaluation job and no evaluation row.
    const evaluations = await s.deps.queues
      .queue('evaluation')
      .getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(evaluations.filter((j) => j.data.interviewId === interview.id)).toHaveLength(0);
    expect(await s.db.prisma.evaluation.count({ where: { interviewId: interview.id } })).toBe(0);
    await until(
      'the request post to show the decision',
      () =>
        current(root, request.ts).text &&
        /Human interview offered by/.test(JSON.stringify(current(root, request.ts).blocks)),
    );
    expect(JSON.stringify(current(root, request.ts).blocks)).not.toContain('candidate_offer_human');
  });
});

describe('accommodation', () => {
  it('"Grant accommodation" adds the extra time to this interview: the room shows the longer timer', async () => {
    const { interview, root, invite, key } = await book('Bo Chen', 'bo@example.com', slots[2]!.id);
    const sent = await post(linkIn(invite, '/my-data/request'), {
      need: 'extra_time',
      text: 'I read slowly.',
    });
    expect(await sent.text()).toContain('Your request was sent');
    const request = await threadPost(root, /asked for an accommodation/);
    const opened = s.slack.callsTo('views.open').length;
    await s.clickInMessage(CHANNEL, request, 'candidate_grant_accommodation');
    await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
    const modal = s.slack.openModal(RECRUITER)!;
    expect(modal.callback_id).toBe('candidate_accommodation');
    const res = await s.submit(modal, { extra_minutes: { extra_minutes: '15' } });
    expect(res.status).toBe(200);
    const granted = await until('the grant', async () => {
      const i = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interview.id } });
      return i.extraMinutes === 15 ? i : undefined;
    });
    expect(granted.typedAnswersOnly).toBe(false);
    expect(
      await s.db.prisma.event.count({
        where: { interviewId: interview.id, type: 'candidate.accommodation_granted' },
      }),
    ).toBe(1);
    await until('the request post to show the grant', () =>
      /15 extra minutes/.test(JSON.stringify(current(root, request.ts).blocks)),
    );

    // The lobby: a 30-minute slot plus 15 minutes.
    s.setNow(new Date(slots[2]!.startsAt.getTime() - 10 * 60_000));
    try {
      const html = await (await fetch(`${s.url}/interview?session_key=${key}`)).text();
      expect(html).toContain('45:00 left');
      expect(html).toContain('It takes up to 45 minutes');
      const boot = JSON.parse(/<script type="application\/json" id="boot">(.*?)<\/script>/s.exec(html)![1]!);
      expect(boot.durationMs).toBe(45 * 60_000);
      // The window closes 15 minutes later too (end + grace + extra).
      expect(boot.closesAt).toBe(
        new Date(slots[2]!.startsAt.getTime() + (30 + 15 + 10) * 60_000).toISOString(),
      );
    } finally {
      s.setNow(NOW);
    }
  });
});

describe('data page', () => {
  let interviewId: string;
  let root: SlackMessage;
  let key: string;
  let dataLink: string;

  beforeAll(async () => {
    const booked = await book('Cy Doe', 'cy@example.com', slots[3]!.id);
    interviewId = booked.interview.id;
    root = booked.root;
    key = booked.key;
    dataLink = linkIn(booked.invite, '/my-data');
    // The interview takes place (the room's own path is covered by tests/portal).
    await s.db.prisma.interview.update({
      where: { id: interviewId },
      data: {
        status: 'completed',
        startedAt: slots[3]!.startsAt,
        endedAt: new Date(slots[3]!.startsAt.getTime() + 20 * 60_000),
      },
    });
    await s.db.prisma.interviewTurn.createMany({
      data: [
        {
          interviewId,
          seq: 0,
          planIndex: 0,
          competency: 'system_design',
          question: 'How would you design a job queue?',
          answerText: 'I would put the jobs in Cafe and retry them with backoff.',
          answerMode: 'voice',
          answeredAt: slots[3]!.startsAt,
        },
        {
          interviewId,
          seq: 1,
          planIndex: 1,
          competency: 'communication',
          question: 'How do you explain a trade-off?',
          answerText: 'I write down the options and what each one costs.',
          answerMode: 'typed',
          answeredAt: slots[3]!.startsAt,
        },
      ],
    });
  });

  it('shows what is kept, with every link carrying the same access', async () => {
    const res = await get(dataLink);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Your interview data');
    expect(html).toContain('your 2 answers');
    expect(html).toContain('Kept until');
    expect(html).toMatch(/href="\/my-data\/transcript\?i=[^"]+&amp;exp=\d+&amp;sig=[0-9a-f]{64}"/);
    // The session key opens it too.
    expect((await fetch(`${s.url}/my-data?session_key=${key}`)).status).toBe(200);
    // A tampered signature does not.
    expect((await get(dataLink.replace(/sig=[0-9a-f]/, 'sig=0'))).status).toBe(404);
  });

  it('downloads the transcript as a text file, and logs it', async () => {
    const res = await fetch(`${s.url}/my-data/transcript?session_key=${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="interview-transcript.txt"');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('Question 1: How would you design a job queue?');
    expect(text).toContain('Your answer (voice): I would put the jobs in Cafe and retry them with backoff.');
    expect(text).toContain('Question 2: How do you explain a trade-off?');
    expect(
      await s.db.prisma.event.count({ where: { interviewId, type: 'candidate.transcript_downloaded' } }),
    ).toBe(1);
  });

  it('a correction appears in the transcript, is posted to the hiring team, and is given to the next evaluation', async () => {
    const res = await post(`${s.url}/my-data/correction?session_key=${key}`, {
      turn: '0',
      text: 'I said Kafka, not Cafe.',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/my-data?session_key=${key}&done=correction`);
    const page = await (await fetch(`${s.url}${res.headers.get('location')}`)).text();
    expect(page).toContain('your correction is attached to your transcript');
    expect(page).toContain('I said Kafka, not Cafe.');

    const note = await threadPost(root, /added a correction/);
    expect(JSON.stringify(note.blocks)).toContain('answer 1 of their transcript');
    expect(JSON.stringify(note.blocks)).toContain('I said Kafka, not Cafe.');

    // The hiring team's transcript page shows it with the answer.
    const transcript = await (await fetch(local(transcriptLinkFor(s.config, interviewId, NOW)))).text();
    expect(transcript).toContain('The candidate added a correction to this transcript');
    expect(transcript).toMatch(
      /Cafe and retry them with backoff\.\s+\[Correction from the candidate, added 2026-03-06: I said Kafka, not Cafe\.\]/,
    );

    // The next evaluation's input: what the model is sent.
    const openai: OpenAiServer = await startOpenAiServer();
    try {
      const loaded = await loadInterviewTranscript(s.db.prisma, interviewId);
      await evaluateTranscript(
        {
          client: new OpenAI({ baseURL: openai.baseURL, apiKey: 'test', maxRetries: 0, timeout: 5000 }),
          chatModel: 'test-model',
          sttModel: 'whisper-1',
          ttsModel: 'tts-1',
          ttsVoice: 'alloy',
          timeoutMs: 5000,
        },
        {
          roleTitle: 'Backend Engineer',
          competencies: loaded.competencies,
          turns: loaded.transcript.turns,
          excluded: [],
        },
      );
      const sentToModel = JSON.stringify(
        openai.calls.filter((c) => c.path.endsWith('/chat/completions')).map((c) => c.body),
      );
      expect(sentToModel).toContain(
        '[Correction from the candidate, added 2026-03-06: I said Kafka, not Cafe.]',
      );
    } finally {
      await openai.close();
    }
  });

  it('offers the voluntary self-identification after the interview and keeps it out of the event log', async () => {
    const form = await (await fetch(`${s.url}/my-data/self-identification?session_key=${key}`)).text();
    expect(form).toContain('This is optional.');
    expect(form).toContain('I decline to answer');
    const res = await post(`${s.url}/my-data/self-identification?session_key=${key}`, {
      sex: 'declined',
      race: 'asian',
    });
    expect(res.status).toBe(303);
    expect(await s.db.prisma.selfIdentification.findUniqueOrThrow({ where: { interviewId } })).toMatchObject({
      sex: 'declined',
      raceEthnicity: 'asian',
    });
    const logged = await s.db.prisma.event.findMany({ where: { interviewId } });
    expect(logged.map((e) => e.type)).toContain('candidate.self_identification_saved');
    expect(JSON.stringify(logged.map((e) => e.data))).not.toContain('asian');
  });

  it('a deletion request is carried out at its deadline, not before, and reaches the Slack messages', async () => {
    const res = await post(`${s.url}/my-data/deletion?session_key=${key}`, {});
    expect(res.status).toBe(303);
    const request = await s.db.prisma.candidateRequest.findFirstOrThrow({
      where: { interviewId, kind: 'deletion' },
    });
    expect(request.dueAt).toEqual(day(30));
    const post1 = await threadPost(root, /asked for their data to be deleted/);
    expect(JSON.stringify(post1.blocks)).toContain('candidate_legal_hold');

    // Legal hold is for workspace admins only.
    await s.clickInMessage(CHANNEL, post1, 'candidate_legal_hold');
    await until('the refusal', () =>
      s.slack.ephemeralsFor(RECRUITER).find((m) => m.text.startsWith('Only a workspace admin')),
    );

    s.setNow(new Date(day(30).getTime() - 60_000));
    await runTask('deletion_requests', 'deletion-early');
    expect(
      (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } })).redactedAt,
    ).toBeNull();

    // Cy also holds a later AI interview: their deletion request cancels it first, in their name.
    const booked = await s.db.prisma.interview.findUniqueOrThrow({ where: { id: interviewId } });
    await s.db.prisma.slot.update({ where: { id: slots[2]!.id }, data: { seatsTaken: 1 } });
    const later = await s.db.prisma.interview.create({
      data: {
        candidateId: booked.candidateId,
        roleId: booked.roleId,
        slotId: slots[2]!.id,
        scheduledStart: slots[2]!.startsAt,
        scheduledEnd: new Date(slots[2]!.startsAt.getTime() + 30 * 60_000),
        sessionKeyHash: `later-${interviewId}`,
        bookingRequestId: `later-${interviewId}`,
        recruiterSlackUser: RECRUITER,
        slackChannelId: CHANNEL,
      },
    });

    s.setNow(new Date(day(30).getTime() + 60 * 60_000));
    await runTask('deletion_requests', 'deletion-due');
    const cancelled = await s.db.prisma.event.findFirstOrThrow({
      where: { interviewId: later.id, type: 'interview.cancelled' },
    });
    expect([cancelled.actor, cancelled.data]).toEqual([
      'candidate',
      { reason: 'deletion_request', requestId: request.id },
    ]);
    expect((await s.db.prisma.slot.findUniqueOrThrow({ where: { id: slots[2]!.id } })).seatsTaken).toBe(0);
    const deleted = await s.db.prisma.interview.findUniqueOrThrow({
      where: { id: interviewId },
      include: { candidate: true, turns: true },
    });
    expect(deleted.redactedAt).not.toBeNull();
    expect(deleted.slackRedactedAt).not.toBeNull();
    expect(deleted.candidate.name).toBe('Deleted candidate');
    expect(deleted.turns.every((t) => t.answerText === null)).toBe(true);
    expect(await s.db.prisma.selfIdentification.count({ where: { interviewId } })).toBe(0);
    expect((await s.db.prisma.candidateRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe(
      'done',
    );
    const types = (await s.db.prisma.event.findMany({ where: { interviewId } })).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'candidate.deletion_requested',
        'data.deleted',
        'candidate.deletion_carried_out',
        'data.slack_redacted',
      ]),
    );

    // Every message Panelist posted about Cy now names nobody.
    const thread = s.slack.thread(CHANNEL, root.ts);
    expect(thread.length).toBeGreaterThan(3);
    for (const m of thread) {
      const all = `${m.text} ${JSON.stringify(m.blocks ?? [])}`;
      expect(all).not.toContain('Cy Doe');
      expect(all).not.toContain('cy@example.com');
      expect(all).not.toContain('Kafka');
    }
    expect(thread[0]!.text).toContain("The candidate's data was deleted on");
    expect((await get(dataLink)).status).toBe(410);
    s.setNow(NOW);
  });
});

describe('legal hold', () => {
  it('an admin hold keeps the data past the deadline; releasing it lets the deletion run', async () => {
    const dee = await s.db.prisma.interview.findFirstOrThrow({
      where: { candidate: { email: 'bo@example.com' } },
    });
    const root = s.slack.messagesIn(CHANNEL).find((m) => m.ts === dee.slackThreadTs)!;
    // Bo's interview took place and is over.
    await s.db.prisma.interview.update({ where: { id: dee.id }, data: { status: 'completed' } });
    const dataLink = (await until('bo invite', () =>
      smtp.messages.find((m) => m.envelope.rcptTo.includes('bo@example.com')),
    )) as CapturedMail;
    expect(
      (await post(linkIn(dataLink, '/my-data').replace('/my-data?', '/my-data/deletion?'), {})).status,
    ).toBe(303);
    const request = await threadPost(root, /asked for their data to be deleted/);
    await s.clickInMessage(CHANNEL, request, 'candidate_legal_hold', ADMIN);
    await until('the hold', async () =>
      (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: dee.id } })).legalHoldAt
        ? true
        : undefined,
    );
    await until('the post to show the hold', () =>
      JSON.stringify(current(root, request.ts).blocks).includes('candidate_release_hold'),
    );
    s.setNow(day(45));
    try {
      await runTask('deletion_requests', 'deletion-held');
      expect(
        (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: dee.id } })).redactedAt,
      ).toBeNull();
      await s.clickInMessage(CHANNEL, current(root, request.ts), 'candidate_release_hold', ADMIN);
      await until('the release', async () =>
        (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: dee.id } })).legalHoldAt
          ? undefined
          : true,
      );
      await runTask('deletion_requests', 'deletion-released');
      expect(
        (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: dee.id } })).redactedAt,
      ).not.toBeNull();
      const types = (await s.db.prisma.event.findMany({ where: { interviewId: dee.id } })).map(
        (e) => `${e.type} ${e.actor}`,
      );
      expect(types).toEqual(
        expect.arrayContaining([
          `data.legal_hold_set slack:${ADMIN}`,
          `data.legal_hold_released slack:${ADMIN}`,
        ]),
      );
    } finally {
      s.setNow(NOW);
    }
  });
});

describe('deletion by /interview-delete and by retention reaches Slack too', () => {
  it('edits the scheduling message and every reply Panelist posted, keeping the interview id, role and dates', async () => {
    const eve = await book('Eve Stone', 'eve@example.com', slots[3]!.id);
    const flo = await book('Flo Hart', 'flo@example.com', slots[3]!.id);
    for (const i of [eve.interview, flo.interview])
      await s.db.prisma.interview.update({ where: { id: i.id }, data: { status: 'completed' } });
    const named = (root: SlackMessage, who: string) =>
      s.slack
        .thread(CHANNEL, root.ts)
        .filter((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`.includes(who));
    expect(named(eve.root, 'Eve Stone').length).toBeGreaterThan(0);
    // The recruiter's DM with the candidate's link names her too.
    const dm = s.slack.dmChannelFor(RECRUITER).id;
    const inDm = (who: string) =>
      s.slack.messagesIn(dm).filter((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`.includes(who));
    expect(inDm('Eve Stone').length).toBe(1);
    expect(inDm(eve.key).length).toBe(1);

    // /interview-delete: the dialog, then the Slack redaction job.
    const opened = s.slack.callsTo('views.open').length;
    await s.command('/interview-delete', 'eve@example.com');
    await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
    const dialog = await until('the delete dialog', () => {
      const v = s.slack.openModal(RECRUITER);
      return v?.callback_id === 'delete_candidate_data' ? v : undefined;
    });
    expect(JSON.stringify(dialog.blocks)).toContain('edited to a redacted form');
    await s.submit(dialog, {});
    await until("Eve's messages redacted", async () =>
      (await s.db.prisma.interview.findUniqueOrThrow({ where: { id: eve.interview.id } })).slackRedactedAt
        ? true
        : undefined,
    );
    expect(named(eve.root, 'Eve Stone')).toEqual([]);
    expect(named(eve.root, 'eve@example.com')).toEqual([]);
    // The DM is edited to a redacted form: no name, no address, no link.
    expect(inDm('Eve Stone')).toEqual([]);
    expect(inDm('eve@example.com')).toEqual([]);
    expect(inDm(eve.key)).toEqual([]);
    expect(inDm('whose data was deleted on').length).toBeGreaterThan(0);
    // Flo's DM is untouched until her own deletion.
    expect(inDm('Flo Hart').length).toBe(1);
    const evRoot = s.slack.thread(CHANNEL, eve.root.ts)[0]!;
    expect(JSON.stringify(evRoot.blocks)).toContain(eve.interview.id);
    expect(evRoot.text).toContain('AI interview for Backend Engineer');

    // Retention, RETENTION_DAYS after the interview.
    s.setNow(new Date(slots[3]!.startsAt.getTime() + (s.config.retentionDays + 1) * DAY));
    try {
      await runTask('retention', 'retention-run');
      expect(named(flo.root, 'Flo Hart')).toEqual([]);
      expect(inDm('Flo Hart')).toEqual([]);
      expect(s.slack.thread(CHANNEL, flo.root.ts)[0]!.text).toContain('(retention period)');
    } finally {
      s.setNow(NOW);
    }
  });
});
