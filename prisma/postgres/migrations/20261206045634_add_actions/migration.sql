-- CreateTable
CREATE TABLE "Action" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "dependencies" TEXT NOT NULL DEFAULT '[]',
    "runtime" TEXT NOT NULL DEFAULT 'node22',
    "supportedTriggers" TEXT NOT NULL DEFAULT '[{"id":"post-login","version":"v3"}]',
    "deployedVersion" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Action_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionVersion" (
    "id" TEXT NOT NULL,
    "actionId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "dependencies" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,

    CONSTRAINT "ActionVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionSecret" (
    "actionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ActionSecret_pkey" PRIMARY KEY ("actionId","name")
);

-- CreateTable
CREATE TABLE "FlowBinding" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "actionId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,

    CONSTRAINT "FlowBinding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Action_name_key" ON "Action"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ActionVersion_actionId_number_key" ON "ActionVersion"("actionId", "number");

-- CreateIndex
CREATE INDEX "FlowBinding_trigger_position_idx" ON "FlowBinding"("trigger", "position");

-- CreateIndex
CREATE UNIQUE INDEX "FlowBinding_trigger_actionId_key" ON "FlowBinding"("trigger", "actionId");

-- AddForeignKey
ALTER TABLE "ActionVersion" ADD CONSTRAINT "ActionVersion_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionSecret" ADD CONSTRAINT "ActionSecret_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowBinding" ADD CONSTRAINT "FlowBinding_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "Action"("id") ON DELETE CASCADE ON UPDATE CASCADE;

