-- CreateTable
CREATE TABLE "MfaAuthenticator" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "publicId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "secretEnc" TEXT,
    "codeHash" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "lastStep" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" DATETIME,
    CONSTRAINT "MfaAuthenticator_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MfaThrottle" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "tatMs" REAL NOT NULL DEFAULT 0,
    CONSTRAINT "MfaThrottle_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY DEFAULT 'default',
    "friendlyName" TEXT NOT NULL DEFAULT 'Portcullis',
    "defaultDirectory" TEXT,
    "defaultAudience" TEXT,
    "publicUrl" TEXT,
    "seededAt" DATETIME,
    "rulesAllowedHosts" TEXT NOT NULL DEFAULT '[]',
    "mfaPolicy" TEXT NOT NULL DEFAULT 'never',
    "mfaOtpEnabled" BOOLEAN NOT NULL DEFAULT true,
    "mfaRecoveryCodeEnabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Tenant" ("createdAt", "defaultAudience", "defaultDirectory", "friendlyName", "id", "publicUrl", "rulesAllowedHosts", "seededAt", "updatedAt") SELECT "createdAt", "defaultAudience", "defaultDirectory", "friendlyName", "id", "publicUrl", "rulesAllowedHosts", "seededAt", "updatedAt" FROM "Tenant";
DROP TABLE "Tenant";
ALTER TABLE "new_Tenant" RENAME TO "Tenant";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "MfaAuthenticator_publicId_key" ON "MfaAuthenticator"("publicId");

-- CreateIndex
CREATE INDEX "MfaAuthenticator_userId_idx" ON "MfaAuthenticator"("userId");

