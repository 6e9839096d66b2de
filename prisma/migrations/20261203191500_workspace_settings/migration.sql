-- CreateTable
CREATE TABLE "WorkspaceSettings" (
    "teamId" TEXT NOT NULL,
    "minNoticeBusinessDays" INTEGER NOT NULL DEFAULT 0,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WorkspaceSettings_pkey" PRIMARY KEY ("teamId")
);

