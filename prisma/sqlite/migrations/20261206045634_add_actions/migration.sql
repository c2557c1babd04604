-- CreateTable
CREATE TABLE "Action" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "dependencies" TEXT NOT NULL DEFAULT '[]',
    "runtime" TEXT NOT NULL DEFAULT 'node22',
    "supportedTriggers" TEXT NOT NULL DEFAULT '[{"id":"post-login","version":"v3"}]',
    "deployedVersion" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ActionVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actionId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "dependencies" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    CONSTRAINT "ActionVersion_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ActionSecret" (
    "actionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("actionId", "name"),
    CONSTRAINT "ActionSecret_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "actionId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    CONSTRAINT "FlowBinding_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Action_name_key" ON "Action"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ActionVersion_actionId_number_key" ON "ActionVersion"("actionId", "number");

-- CreateIndex
CREATE INDEX "FlowBinding_trigger_position_idx" ON "FlowBinding"("trigger", "position");

-- CreateIndex
CREATE UNIQUE INDEX "FlowBinding_trigger_actionId_key" ON "FlowBinding"("trigger", "actionId");

