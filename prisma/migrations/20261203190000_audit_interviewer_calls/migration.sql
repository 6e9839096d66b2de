-- AlterTable
ALTER TABLE "InterviewTurn" ADD COLUMN     "decisionCall" JSONB,
ADD COLUMN     "source" TEXT;

