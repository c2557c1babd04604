-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AccountTicket" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "formToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "markEmailVerified" BOOLEAN NOT NULL DEFAULT false,
    "resultUrl" TEXT,
    CONSTRAINT "AccountTicket_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AccountTicket" ("createdAt", "expiresAt", "formToken", "kind", "tokenHash", "usedAt", "userId") SELECT "createdAt", "expiresAt", "formToken", "kind", "tokenHash", "usedAt", "userId" FROM "AccountTicket";
DROP TABLE "AccountTicket";
ALTER TABLE "new_AccountTicket" RENAME TO "AccountTicket";
CREATE INDEX "AccountTicket_userId_kind_idx" ON "AccountTicket"("userId", "kind");
CREATE INDEX "AccountTicket_expiresAt_idx" ON "AccountTicket"("expiresAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

