-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "InterviewStatus" AS ENUM ('scheduled', 'in_progress', 'completed', 'evaluated', 'cancelled', 'expired', 'failed');

-- CreateEnum
CREATE TYPE "EmailKind" AS ENUM ('invite', 'update', 'cancel', 'reminder_24h', 'reminder_1h');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('sending', 'sent', 'failed');

-- CreateEnum
CREATE TYPE "EvaluationStatus" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "Role" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "competencies" JSONB NOT NULL DEFAULT '[]',
    "questions" JSONB NOT NULL DEFAULT '[]',
    "questionCount" INTEGER NOT NULL DEFAULT 6,
    "createdBySlackUser" TEXT,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Slot" (
    "id" UUID NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "seatsTaken" INTEGER NOT NULL DEFAULT 0,
    "timeZone" TEXT NOT NULL,
    "createdBySlackUser" TEXT,
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Candidate" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Candidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Interview" (
    "id" UUID NOT NULL,
    "status" "InterviewStatus" NOT NULL DEFAULT 'scheduled',
    "candidateId" UUID NOT NULL,
    "roleId" UUID NOT NULL,
    "slotId" UUID NOT NULL,
    "scheduledStart" TIMESTAMPTZ(3) NOT NULL,
    "scheduledEnd" TIMESTAMPTZ(3) NOT NULL,
    "sessionKeyHash" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "notes" TEXT NOT NULL DEFAULT '',
    "bookingRequestId" TEXT NOT NULL,
    "recruiterSlackUser" TEXT NOT NULL,
    "recruiterEmail" TEXT,
    "slackTeamId" TEXT,
    "slackChannelId" TEXT NOT NULL,
    "slackThreadTs" TEXT,
    "questionPlan" JSONB,
    "planPreparedAt" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "endReason" TEXT,
    "activeConnectionId" TEXT,
    "cancelledAt" TIMESTAMPTZ(3),
    "redactedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Interview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InterviewTurn" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "planIndex" INTEGER NOT NULL,
    "isFollowUp" BOOLEAN NOT NULL DEFAULT false,
    "competency" TEXT,
    "question" TEXT NOT NULL,
    "askedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answerText" TEXT,
    "answerMode" TEXT,
    "audioDurationMs" INTEGER,
    "answerClientId" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "responseLatencyMs" INTEGER,

    CONSTRAINT "InterviewTurn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "EvaluationStatus" NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "rubric" JSONB,
    "promptVersion" TEXT,
    "model" TEXT,
    "droppedQuotes" INTEGER NOT NULL DEFAULT 0,
    "flags" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "slackChannelId" TEXT,
    "slackMessageTs" TEXT,
    "postedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmailDelivery" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "kind" "EmailKind" NOT NULL,
    "revision" INTEGER NOT NULL,
    "status" "EmailStatus" NOT NULL DEFAULT 'sending',
    "messageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EmailDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" BIGSERIAL NOT NULL,
    "interviewId" UUID,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL DEFAULT 'system',
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Slot_startsAt_idx" ON "Slot"("startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "Candidate_email_key" ON "Candidate"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Interview_sessionKeyHash_key" ON "Interview"("sessionKeyHash");

-- CreateIndex
CREATE UNIQUE INDEX "Interview_bookingRequestId_key" ON "Interview"("bookingRequestId");

-- CreateIndex
CREATE INDEX "Interview_status_scheduledStart_idx" ON "Interview"("status", "scheduledStart");

-- CreateIndex
CREATE INDEX "Interview_slotId_idx" ON "Interview"("slotId");

-- CreateIndex
CREATE UNIQUE INDEX "InterviewTurn_interviewId_seq_key" ON "InterviewTurn"("interviewId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "InterviewTurn_interviewId_answerClientId_key" ON "InterviewTurn"("interviewId", "answerClientId");

-- CreateIndex
CREATE UNIQUE INDEX "Evaluation_interviewId_version_key" ON "Evaluation"("interviewId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "EmailDelivery_interviewId_kind_revision_key" ON "EmailDelivery"("interviewId", "kind", "revision");

-- CreateIndex
CREATE INDEX "Event_interviewId_createdAt_idx" ON "Event"("interviewId", "createdAt");

-- CreateIndex
CREATE INDEX "Event_type_createdAt_idx" ON "Event"("type", "createdAt");

-- AddForeignKey
ALTER TABLE "Interview" ADD CONSTRAINT "Interview_candidateId_fkey" FOREIGN KEY ("candidateId") REFERENCES "Candidate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Interview" ADD CONSTRAINT "Interview_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Interview" ADD CONSTRAINT "Interview_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "Slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InterviewTurn" ADD CONSTRAINT "InterviewTurn_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmailDelivery" ADD CONSTRAINT "EmailDelivery_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Seats can never go negative or past capacity, whatever the code does.
-- (Prisma's schema language cannot express CHECK constraints; they live here.)
ALTER TABLE "Slot" ADD CONSTRAINT "Slot_seats_check" CHECK ("seatsTaken" >= 0 AND "seatsTaken" <= "capacity" AND "capacity" > 0 AND "durationMinutes" > 0);
