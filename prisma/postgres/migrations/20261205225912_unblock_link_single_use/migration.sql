-- CreateTable
CREATE TABLE "UnblockLinkUse" (
    "tokenHash" TEXT NOT NULL,
    "usedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UnblockLinkUse_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "UnblockLinkUse_expiresAt_idx" ON "UnblockLinkUse"("expiresAt");

