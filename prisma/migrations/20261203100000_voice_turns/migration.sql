-- AlterTable
ALTER TABLE "InterviewTurn" ADD COLUMN     "bargeInPlayedMs" INTEGER,
ADD COLUMN     "latencyMarks" JSONB,
ADD COLUMN     "transcriptPending" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "AnswerPiece" (
    "id" UUID NOT NULL,
    "interviewId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "piece" INTEGER NOT NULL,
    "fromChunk" INTEGER NOT NULL,
    "toChunk" INTEGER NOT NULL,
    "endMs" INTEGER NOT NULL,
    "mime" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "text" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "audio" BYTEA,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AnswerPiece_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AnswerPiece_status_nextAttemptAt_idx" ON "AnswerPiece"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "AnswerPiece_interviewId_seq_piece_key" ON "AnswerPiece"("interviewId", "seq", "piece");

-- AddForeignKey
ALTER TABLE "AnswerPiece" ADD CONSTRAINT "AnswerPiece_interviewId_fkey" FOREIGN KEY ("interviewId") REFERENCES "Interview"("id") ON DELETE CASCADE ON UPDATE CASCADE;

