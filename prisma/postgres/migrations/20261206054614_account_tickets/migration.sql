-- CreateTable
CREATE TABLE "AccountTicket" (
    "tokenHash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "formToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "AccountTicket_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "SendLimit" (
    "key" TEXT NOT NULL,
    "tatMs" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "SendLimit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "AccountTicket_userId_kind_idx" ON "AccountTicket"("userId", "kind");

-- CreateIndex
CREATE INDEX "AccountTicket_expiresAt_idx" ON "AccountTicket"("expiresAt");

-- AddForeignKey
ALTER TABLE "AccountTicket" ADD CONSTRAINT "AccountTicket_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

