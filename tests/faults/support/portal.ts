/** The candidate's side of a running portal: a WebSocket room and interviews made as the booking worker makes them. */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { generateSessionKey, hashSessionKey } from '../../../src/domain/session-key.js';
import type { PrismaClient } from '../../../src/generated/prisma/client.js';
import { PROTOCOL_VERSION } from '../../../src/portal/protocol.js';
import { sleep } from './services.js';

export type TMsg = Record<string, unknown> & { type: string };

export async function openRoom(url: string, key: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/interview/ws`);
  const inbox: TMsg[] = [];
  // Binary frames are the interviewer's speech (protocol v2): not needed here.
  ws.on('message', (d, isBinary) => {
    if (!isBinary) inbox.push(JSON.parse(d.toString()) as TMsg);
  });
  await new Promise((r) => ws.once('open', r));
  let n = 0;
  const send = (m: Record<string, unknown>) =>
    ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id: `m${++n}`, ...m }));
  // 15 s by default: a cold portal process on a loaded 2-core machine took 7 s to its first `state`.
  const next = async (type: string, timeoutMs = 15_000): Promise<TMsg> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(inbox)}`);
      await sleep(20);
    }
  };
  send({ type: 'hello', key });
  return { ws, send, next };
}

export async function createInterview(db: { prisma: PrismaClient }, questions: string[]) {
  const start = new Date(Date.now() - 60_000);
  const role = await db.prisma.role.create({
    data: {
      title: 'Backend Engineer',
      competencies: [{ key: 'design', name: 'Design', description: 'Designs' }],
    },
  });
  const slot = await db.prisma.slot.create({
    data: { startsAt: start, durationMinutes: 30, capacity: 1, seatsTaken: 1, timeZone: 'UTC' },
  });
  const candidate = await db.prisma.candidate.create({
    data: { name: 'Ada Lovelace', email: 'ada@example.test', timeZone: 'Europe/London' },
  });
  const key = generateSessionKey();
  const interview = await db.prisma.interview.create({
    data: {
      status: 'scheduled',
      candidateId: candidate.id,
      roleId: role.id,
      slotId: slot.id,
      scheduledStart: start,
      scheduledEnd: new Date(start.getTime() + 30 * 60_000),
      sessionKeyHash: hashSessionKey(key),
      bookingRequestId: `req-${randomBytes(6).toString('hex')}`,
      recruiterSlackUser: 'U_RECRUITER',
      slackChannelId: 'C_RECRUITING',
      questionPlan: questions.map((text) => ({ text, competency: null })),
      planPreparedAt: new Date(),
    },
  });
  return { id: interview.id, key };
}
