-- AlterTable
ALTER TABLE "User" ADD COLUMN "passwordLeakedAt" DATETIME;

-- CreateTable
CREATE TABLE "AttackProtection" (
    "id" TEXT NOT NULL PRIMARY KEY DEFAULT 'default',
    "bruteForceProtection" TEXT NOT NULL DEFAULT '{}',
    "suspiciousIpThrottling" TEXT NOT NULL DEFAULT '{}',
    "breachedPasswordDetection" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LoginFailure" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "connectionId" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstFailureAt" DATETIME NOT NULL,
    "lastFailureAt" DATETIME NOT NULL,
    "blockedAt" DATETIME,
    "releasedAt" DATETIME
);

-- CreateTable
CREATE TABLE "IpThrottle" (
    "ip" TEXT NOT NULL PRIMARY KEY,
    "tat" BIGINT NOT NULL,
    "lastFailureAt" DATETIME NOT NULL,
    "blockedAt" DATETIME
);

-- CreateTable
CREATE TABLE "NotificationClaim" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "sentAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "sentAt" DATETIME
);

-- CreateIndex
CREATE INDEX "LoginFailure_connectionId_identifier_idx" ON "LoginFailure"("connectionId", "identifier");

-- CreateIndex
CREATE INDEX "LoginFailure_ip_idx" ON "LoginFailure"("ip");

-- CreateIndex
CREATE INDEX "LoginFailure_blockedAt_idx" ON "LoginFailure"("blockedAt");

-- CreateIndex
CREATE INDEX "IpThrottle_blockedAt_idx" ON "IpThrottle"("blockedAt");

-- CreateIndex
CREATE INDEX "Notification_createdAt_idx" ON "Notification"("createdAt");

