-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "rubricVersion" TEXT;

