-- CreateEnum
CREATE TYPE "BookingRequestStatus" AS ENUM ('pending', 'taken', 'refused');

-- AlterEnum
ALTER TYPE "EmailStatus" ADD VALUE 'preparing';

-- AlterTable
ALTER TABLE "Interview" ADD COLUMN     "sessionKeySealed" TEXT;

-- AlterTable
ALTER TABLE "EmailDelivery" ADD COLUMN     "claimJobId" TEXT;

-- CreateTable
CREATE TABLE "BookingRequest" (
    "id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "status" "BookingRequestStatus" NOT NULL DEFAULT 'pending',
    "slotId" UUID NOT NULL,
    "roleId" UUID NOT NULL,
    "candidateName" TEXT NOT NULL,
    "candidateEmail" TEXT NOT NULL,
    "candidateTimeZone" TEXT NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "recruiterSlackUser" TEXT NOT NULL,
    "recruiterEmail" TEXT,
    "recruiterTimeZone" TEXT,
    "slackTeamId" TEXT,
    "slackChannelId" TEXT NOT NULL,
    "rescheduleInterviewId" UUID,
    "rescheduleFromRevision" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BookingRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SlackPost" (
    "key" TEXT NOT NULL,
    "interviewId" UUID,
    "channel" TEXT,
    "ts" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" TIMESTAMPTZ(3),

    CONSTRAINT "SlackPost_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "BookingRequest_candidateEmail_idx" ON "BookingRequest"("candidateEmail");

-- CreateIndex
CREATE INDEX "BookingRequest_createdAt_idx" ON "BookingRequest"("createdAt");

-- CreateIndex
CREATE INDEX "SlackPost_interviewId_idx" ON "SlackPost"("interviewId");

