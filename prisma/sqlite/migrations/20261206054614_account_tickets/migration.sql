-- CreateTable
CREATE TABLE "AccountTicket" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "formToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    CONSTRAINT "AccountTicket_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SendLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "tatMs" REAL NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "AccountTicket_userId_kind_idx" ON "AccountTicket"("userId", "kind");

-- CreateIndex
CREATE INDEX "AccountTicket_expiresAt_idx" ON "AccountTicket"("expiresAt");

