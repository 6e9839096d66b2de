/**
 * Drift guard: a database migrated from empty must accept every model through the
 * generated client, so a migration that does not match schema.prisma fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/infra/db/migrate.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';

let db: TTestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.drop());

describe('migrations', () => {
  it('are recorded like Prisma does and are not applied twice', async () => {
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThan(0);
    const rows = await db.prisma.$queryRaw<{ checksum: string }[]>`SELECT checksum FROM "_prisma_migrations"`;
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('match schema.prisma: every model can be written and read', async () => {
    const p = db.prisma;
    const role = await p.role.create({
      data: { title: 'Engineer', competencies: [{ key: 'c', name: 'C' }] },
    });
    const slot = await p.slot.create({
      data: { startsAt: new Date(), durationMinutes: 30, capacity: 2, timeZone: 'UTC' },
    });
    const candidate = await p.candidate.create({
      data: { name: 'Ann', email: 'ann@example.com', timeZone: 'UTC' },
    });
    const interview = await p.interview.create({
      data: {
        candidateId: candidate.id,
        roleId: role.id,
        slotId: slot.id,
        scheduledStart: slot.startsAt,
        scheduledEnd: new Date(slot.startsAt.getTime() + 30 * 60_000),
        sessionKeyHash: 'a'.repeat(64),
        bookingRequestId: 'req-1',
        recruiterSlackUser: 'U1',
        slackChannelId: 'C1',
      },
    });
    await p.interviewTurn.create({
      data: {
        interviewId: interview.id,
        seq: 0,
        planIndex: 0,
        question: 'Q?',
        source: 'planned',
        decisionCall: { purpose: 'follow_up_decision', outcome: 'next' },
      },
    });
    await p.workspaceSettings.create({
      data: { teamId: 'T1', minNoticeBusinessDays: 10, updatedBy: 'slack:U1' },
    });
    expect(
      (await p.workspaceSettings.findUniqueOrThrow({ where: { teamId: 'T1' } })).minNoticeBusinessDays,
    ).toBe(10);
    await p.evaluation.create({ data: { interviewId: interview.id, version: 1 } });
    await p.emailDelivery.create({ data: { interviewId: interview.id, kind: 'invite', revision: 1 } });
    await p.event.create({ data: { interviewId: interview.id, type: 'test' } });
    await p.candidateRequest.create({
      data: { interviewId: interview.id, kind: 'accommodation', needs: ['extra_time'], text: 'More time' },
    });
    await p.selfIdentification.create({
      data: { interviewId: interview.id, sex: 'declined', raceEthnicity: 'asian' },
    });
    await p.interview.update({
      where: { id: interview.id },
      data: { extraMinutes: 15, legalHoldAt: new Date() },
    });
    const full = await p.interview.findUniqueOrThrow({
      where: { id: interview.id },
      include: {
        turns: true,
        evaluations: true,
        emails: true,
        events: true,
        slot: true,
        role: true,
        candidate: true,
        candidateRequests: true,
        selfIdentification: true,
      },
    });
    expect(full.turns).toHaveLength(1);
    expect(full.candidateRequests[0]?.needs).toEqual(['extra_time']);
    expect(full.selfIdentification?.raceEthnicity).toBe('asian');
    expect(full.extraMinutes).toBe(15);
    expect(full.evaluations[0]?.status).toBe('pending');
    expect(full.emails[0]?.kind).toBe('invite');
    expect(full.events[0]?.type).toBe('test');
  });

  it('refuse a slot with more seats taken than its capacity (CHECK constraint)', async () => {
    await expect(
      db.prisma.slot.create({
        data: { startsAt: new Date(), durationMinutes: 30, capacity: 1, seatsTaken: 2, timeZone: 'UTC' },
      }),
    ).rejects.toThrow();
  });
});
