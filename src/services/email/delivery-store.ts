/**
 * The email send path's database statements, as fixed SQL. Measured on the 2-core machine, Prisma's
 * query building cost 2.6 ms CPU for the interview load, 4.5 ms for createMany(skipDuplicates)
 * and 4.2 ms for the update+event transaction, against 0.7 ms for the same insert as raw SQL:
 * most of the pipeline's CPU per invite. These three statements are the hot path; everything
 * else stays on the Prisma client.
 */
import type { InterviewStatus, PrismaClient } from '../../generated/prisma/client.js';
import type { TEmailKind } from './render.js';

export type TEmailInterview = {
  id: string;
  status: InterviewStatus;
  revision: number;
  scheduledStart: Date;
  scheduledEnd: Date;
  recruiterEmail: string | null;
  recruiterSlackUser: string;
  slackChannelId: string;
  slackThreadTs: string | null;
  redactedAt: Date | null;
  candidate: { name: string; email: string; timeZone: string };
  role: { title: string };
};

type TRow = Omit<TEmailInterview, 'candidate' | 'role'> & {
  candidateName: string;
  candidateEmail: string;
  candidateTimeZone: string;
  roleTitle: string;
};

/** The interview with what an email needs of its candidate and role, in one query. */
export async function loadEmailInterview(prisma: PrismaClient, id: string): Promise<TEmailInterview | null> {
  const rows = await prisma.$queryRaw<TRow[]>`
    SELECT i."id", i."status"::text AS "status", i."revision", i."scheduledStart", i."scheduledEnd",
           i."recruiterEmail", i."recruiterSlackUser", i."slackChannelId", i."slackThreadTs", i."redactedAt",
           c."name" AS "candidateName", c."email" AS "candidateEmail", c."timeZone" AS "candidateTimeZone",
           r."title" AS "roleTitle"
      FROM "Interview" i
      JOIN "Candidate" c ON c."id" = i."candidateId"
      JOIN "Role" r ON r."id" = i."roleId"
     WHERE i."id" = ${id}::uuid`;
  const row = rows[0];
  if (!row) return null;
  const { candidateName, candidateEmail, candidateTimeZone, roleTitle, ...interview } = row;
  return {
    ...interview,
    scheduledStart: new Date(interview.scheduledStart),
    scheduledEnd: new Date(interview.scheduledEnd),
    redactedAt: interview.redactedAt ? new Date(interview.redactedAt) : null,
    candidate: { name: candidateName, email: candidateEmail, timeZone: candidateTimeZone },
    role: { title: roleTitle },
  };
}

type TKey = { interviewId: string; kind: TEmailKind; revision: number };

/** Inserts the row as `sending`; false when a row for (interview, kind, revision) already exists. */
export async function insertClaim(prisma: PrismaClient, key: TKey, at: Date): Promise<boolean> {
  const n = await prisma.$executeRaw`
    INSERT INTO "EmailDelivery" ("id", "interviewId", "kind", "revision", "status", "attempts", "createdAt", "updatedAt")
    VALUES (gen_random_uuid(), ${key.interviewId}::uuid, ${key.kind}::"EmailKind", ${key.revision},
            'sending', 1, ${at}, ${at})
    ON CONFLICT ("interviewId", "kind", "revision") DO NOTHING`;
  return n === 1;
}

/** Records the send and its event in one statement (one commit). */
export async function markSent(prisma: PrismaClient, key: TKey, messageId: string, at: Date): Promise<void> {
  const data = JSON.stringify({ kind: key.kind, revision: key.revision, messageId });
  await prisma.$executeRaw`
    WITH sent AS (
      UPDATE "EmailDelivery"
         SET "status" = 'sent', "messageId" = ${messageId}, "sentAt" = ${at}, "lastError" = NULL, "updatedAt" = ${at}
       WHERE "interviewId" = ${key.interviewId}::uuid AND "kind" = ${key.kind}::"EmailKind" AND "revision" = ${key.revision}
       RETURNING "interviewId"
    )
    INSERT INTO "Event" ("interviewId", "type", "actor", "data", "createdAt")
    SELECT "interviewId", 'email.sent', 'system', ${data}::jsonb, ${at} FROM sent`;
}
