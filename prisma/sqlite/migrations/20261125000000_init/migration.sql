-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY DEFAULT 'default',
    "friendlyName" TEXT NOT NULL DEFAULT 'Portcullis',
    "defaultDirectory" TEXT,
    "defaultAudience" TEXT,
    "publicUrl" TEXT,
    "seededAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Client" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "appType" TEXT NOT NULL DEFAULT 'regular_web',
    "isFirstParty" BOOLEAN NOT NULL DEFAULT true,
    "tokenEndpointAuthMethod" TEXT NOT NULL DEFAULT 'client_secret_post',
    "clientSecretHash" TEXT,
    "clientSecretEnc" TEXT,
    "grantTypes" TEXT NOT NULL DEFAULT '[]',
    "idTokenAlg" TEXT NOT NULL DEFAULT 'RS256',
    "idTokenLifetime" INTEGER NOT NULL DEFAULT 36000,
    "isTokenEndpointIpHeaderTrusted" BOOLEAN NOT NULL DEFAULT false,
    "clientMetadata" TEXT NOT NULL DEFAULT '{}',
    "refreshRotationType" TEXT NOT NULL DEFAULT 'rotating',
    "refreshLeeway" INTEGER NOT NULL DEFAULT 0,
    "refreshTokenLifetime" INTEGER NOT NULL DEFAULT 2592000,
    "refreshIdleLifetime" INTEGER NOT NULL DEFAULT 1296000,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Connection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "connectionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "strategy" TEXT NOT NULL DEFAULT 'auth0',
    "options" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ConnectionClient" (
    "connectionId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,

    PRIMARY KEY ("connectionId", "clientId"),
    CONSTRAINT "ConnectionClient_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConnectionClient_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "email" TEXT,
    "emailVerified" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "name" TEXT,
    "nickname" TEXT,
    "givenName" TEXT,
    "familyName" TEXT,
    "picture" TEXT,
    "phoneNumber" TEXT,
    "phoneVerified" BOOLEAN NOT NULL DEFAULT false,
    "passwordHash" TEXT,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "appMetadata" TEXT NOT NULL DEFAULT '{}',
    "userMetadata" TEXT NOT NULL DEFAULT '{}',
    "loginsCount" INTEGER NOT NULL DEFAULT 0,
    "lastLogin" DATETIME,
    "lastIp" TEXT,
    "lastPasswordReset" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "User_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ResourceServer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "tokenLifetime" INTEGER NOT NULL DEFAULT 86400,
    "signingAlg" TEXT NOT NULL DEFAULT 'RS256',
    "signingSecretEnc" TEXT,
    "allowOfflineAccess" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RefreshToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "audience" TEXT,
    "scope" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "idleExpiresAt" DATETIME NOT NULL,
    "rotatedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "RefreshToken_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RefreshToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL DEFAULT 'RS256',
    "publicJwk" TEXT NOT NULL,
    "privateKeyEnc" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'current',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" DATETIME
);

-- CreateTable
CREATE TABLE "LogEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "date" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "description" TEXT,
    "clientId" TEXT,
    "clientName" TEXT,
    "connection" TEXT,
    "connectionId" TEXT,
    "userId" TEXT,
    "userName" TEXT,
    "ip" TEXT,
    "clientIp" TEXT,
    "userAgent" TEXT,
    "hostname" TEXT,
    "audience" TEXT,
    "scope" TEXT,
    "strategy" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}'
);

-- CreateIndex
CREATE UNIQUE INDEX "Client_clientId_key" ON "Client"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "Client_name_key" ON "Client"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_connectionId_key" ON "Connection"("connectionId");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_name_key" ON "Connection"("name");

-- CreateIndex
CREATE INDEX "ConnectionClient_clientId_idx" ON "ConnectionClient"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "User_userId_key" ON "User"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "User_connectionId_email_key" ON "User"("connectionId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "User_connectionId_username_key" ON "User"("connectionId", "username");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceServer_identifier_key" ON "ResourceServer"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceServer_name_key" ON "ResourceServer"("name");

-- CreateIndex
CREATE UNIQUE INDEX "RefreshToken_tokenHash_key" ON "RefreshToken"("tokenHash");

-- CreateIndex
CREATE INDEX "RefreshToken_familyId_idx" ON "RefreshToken"("familyId");

-- CreateIndex
CREATE INDEX "RefreshToken_userId_idx" ON "RefreshToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "SigningKey_kid_key" ON "SigningKey"("kid");

-- CreateIndex
CREATE INDEX "SigningKey_status_idx" ON "SigningKey"("status");

-- CreateIndex
CREATE INDEX "LogEvent_date_idx" ON "LogEvent"("date");

-- CreateIndex
CREATE INDEX "LogEvent_type_date_idx" ON "LogEvent"("type", "date");

-- CreateIndex
CREATE INDEX "LogEvent_userId_date_idx" ON "LogEvent"("userId", "date");

-- CreateIndex
CREATE INDEX "LogEvent_ip_date_idx" ON "LogEvent"("ip", "date");

