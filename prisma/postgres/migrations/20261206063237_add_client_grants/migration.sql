-- CreateTable
CREATE TABLE "ClientGrant" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClientGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ClientGrant_audience_idx" ON "ClientGrant"("audience");

-- CreateIndex
CREATE UNIQUE INDEX "ClientGrant_clientId_audience_key" ON "ClientGrant"("clientId", "audience");

-- AddForeignKey
ALTER TABLE "ClientGrant" ADD CONSTRAINT "ClientGrant_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

