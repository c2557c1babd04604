-- CreateTable
CREATE TABLE "UnblockLinkUse" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "usedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "UnblockLinkUse_expiresAt_idx" ON "UnblockLinkUse"("expiresAt");

