-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "mfaOtpEnabled" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "mfaPolicy" TEXT NOT NULL DEFAULT 'never',
ADD COLUMN     "mfaRecoveryCodeEnabled" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "MfaAuthenticator" (
    "id" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "secretEnc" TEXT,
    "codeHash" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "lastStep" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMP(3),

    CONSTRAINT "MfaAuthenticator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MfaThrottle" (
    "userId" TEXT NOT NULL,
    "tatMs" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "MfaThrottle_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "MfaAuthenticator_publicId_key" ON "MfaAuthenticator"("publicId");

-- CreateIndex
CREATE INDEX "MfaAuthenticator_userId_idx" ON "MfaAuthenticator"("userId");

-- AddForeignKey
ALTER TABLE "MfaAuthenticator" ADD CONSTRAINT "MfaAuthenticator_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MfaThrottle" ADD CONSTRAINT "MfaThrottle_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

