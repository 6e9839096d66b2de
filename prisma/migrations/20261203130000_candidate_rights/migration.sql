-- CreateEnum
CREATE TYPE "SelfIdSex" AS ENUM ('male', 'female', 'declined');

-- CreateEnum
CREATE TYPE "SelfIdRaceEthnicity" AS ENUM ('hispanic_or_latino', 'white', 'black_or_african_american', 'native_hawaiian_or_pacific_islander', 'asian', 'american_indian_or_alaska_native', 'two_or_more_races', 'declined');

-- AlterTable
ALTER TABLE "Interview" ADD COLUMN     "aiOptOutAt" TIMESTAMPTZ(3),
ADD COLUMN     "extraMinutes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "legalHoldAt" TIMESTAMPTZ(3),
ADD COLUMN     "legalHoldBy" TEXT,
ADD COLUMN     "noticeVersion" TEXT,
ADD COLUMN     "slackRedactedAt" TIMESTAMPTZ(3),
ADD COLUMN     "typedAnswersOnly" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "CandidateRequest" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "needs" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "text" TEXT NOT NULL DEFAULT '',
    "turnSeq" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'open',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "extraMinutes" INTEGER,
    "dueAt" TIMESTAMPTZ(3),
    "slackChannelId" TEXT,
    "slackMessageTs" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CandidateRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SelfIdentification" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "sex" "SelfIdSex" NOT NULL,
    "raceEthnicity" "SelfIdRaceEthnicity" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SelfIdentification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CandidateRequest_interviewId_kind_idx" ON "CandidateRequest"("interviewId", "kind");

-- CreateIndex
CREATE INDEX "CandidateRequest_kind_status_dueAt_idx" ON "CandidateRequest"("kind", "status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "SelfIdentification_interviewId_key" ON "SelfIdentification"("interviewId");

-- AddForeignKey
ALTER TABLE "CandidateRequest" ADD CONSTRAINT "CandidateRequest_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelfIdentification" ADD CONSTRAINT "SelfIdentification_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

