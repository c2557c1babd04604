-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordLeakedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "AttackProtection" (
    "id" TEXT NOT NULL DEFAULT 'default',
    "bruteForceProtection" TEXT NOT NULL DEFAULT '{}',
    "suspiciousIpThrottling" TEXT NOT NULL DEFAULT '{}',
    "breachedPasswordDetection" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AttackProtection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginFailure" (
    "key" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstFailureAt" TIMESTAMP(3) NOT NULL,
    "lastFailureAt" TIMESTAMP(3) NOT NULL,
    "blockedAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "LoginFailure_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "IpThrottle" (
    "ip" TEXT NOT NULL,
    "tat" BIGINT NOT NULL,
    "lastFailureAt" TIMESTAMP(3) NOT NULL,
    "blockedAt" TIMESTAMP(3),

    CONSTRAINT "IpThrottle_pkey" PRIMARY KEY ("ip")
);

-- CreateTable
CREATE TABLE "NotificationClaim" (
    "key" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationClaim_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
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

