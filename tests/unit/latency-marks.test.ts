/**
 * A voice turn's latency marks are merged into the turn in one statement: later
 * marks add to earlier ones, the browser's "first audio played" is the headline
 * figure once it comes (over the server's "first audio sent"), and a turn that
 * is not answered is left alone. Real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/infra/metrics.js';
import { recordLatencyMarks } from '../../src/services/interview/latency.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';

let db: TTestDb;
let interviewId: string;
const metrics = createMetrics();

beforeAll(async () => {
  db = await createTestDb();
  const role = await db.prisma.role.create({ data: { title: 'Backend Engineer', questionCount: 2 } });
  const start = new Date(Date.now() - 60_000);
  const slot = await db.prisma.slot.create({
    data: { startsAt: start, durationMinutes: 30, capacity: 1, seatsTaken: 1, timeZone: 'UTC' },
  });
  const candidate = await db.prisma.candidate.create({
    data: { name: 'Ada Lovelace', email: 'ada-latency@example.test', timeZone: 'UTC' },
  });
  const interview = await db.prisma.interview.create({
    data: {
      status: 'in_progress',
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slot.id,
      scheduledStart: start,
      scheduledEnd: new Date(start.getTime() + 30 * 60_000),
      sessionKeyHash: 'latency-marks-test',
      bookingRequestId: 'latency-marks-test',
      recruiterSlackUser: 'U_RECRUITER',
      slackChannelId: 'C_RECRUITING',
    },
  });
  interviewId = interview.id;
  await db.prisma.interviewTurn.createMany({
    data: [
      { interviewId, seq: 0, planIndex: 0, question: 'First?', answerText: 'Yes.', answeredAt: new Date() },
      { interviewId, seq: 1, planIndex: 1, question: 'Second?' },
    ],
  });
});
afterAll(async () => db?.drop());

const turn = (seq: number) =>
  db.prisma.interviewTurn.findUniqueOrThrow({ where: { interviewId_seq: { interviewId, seq } } });

describe('recordLatencyMarks', () => {
  it('merges marks, rounds them, and makes first audio played the headline once the browser reports it', async () => {
    await recordLatencyMarks({ prisma: db.prisma, metrics }, interviewId, 0, {
      endOfSpeech: -1210.4,
      transcriptReady: 120.4,
      decisionReady: 300,
    });
    let row = await turn(0);
    expect(row.latencyMarks).toEqual({ endOfSpeech: -1210, transcriptReady: 120, decisionReady: 300 });
    expect(row.responseLatencyMs).toBeNull();

    await recordLatencyMarks({ prisma: db.prisma, metrics }, interviewId, 0, { firstAudioSent: 410.6 });
    row = await turn(0);
    expect(row.latencyMarks).toEqual({
      endOfSpeech: -1210,
      transcriptReady: 120,
      decisionReady: 300,
      firstAudioSent: 411,
    });
    expect(row.responseLatencyMs).toBe(411);

    await recordLatencyMarks({ prisma: db.prisma, metrics }, interviewId, 0, { firstAudioPlayed: 530 });
    expect((await turn(0)).responseLatencyMs).toBe(530);
    // A later server mark does not replace what the browser measured.
    await recordLatencyMarks({ prisma: db.prisma, metrics }, interviewId, 0, { firstAudioSent: 900 });
    row = await turn(0);
    expect(row.responseLatencyMs).toBe(530);
    expect(row.latencyMarks).toMatchObject({
      firstAudioSent: 900,
      firstAudioPlayed: 530,
      transcriptReady: 120,
    });
  });

  it('leaves a turn that is not answered alone, and observes nothing for it', async () => {
    const before = (await metrics.turnLatency.get()).values.find((v) => v.metricName?.endsWith('_count'));
    await recordLatencyMarks({ prisma: db.prisma, metrics }, interviewId, 1, { firstAudioPlayed: 700 });
    const row = await turn(1);
    expect(row.latencyMarks).toBeNull();
    expect(row.responseLatencyMs).toBeNull();
    const after = (await metrics.turnLatency.get()).values.find((v) => v.metricName?.endsWith('_count'));
    expect(after?.value).toBe(before?.value);
  });
});
