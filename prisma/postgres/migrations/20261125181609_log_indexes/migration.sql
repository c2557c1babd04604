-- DropIndex
DROP INDEX "LogEvent_type_date_idx";

-- DropIndex
DROP INDEX "LogEvent_userId_date_idx";

-- DropIndex
DROP INDEX "LogEvent_ip_date_idx";

-- CreateIndex
CREATE INDEX "LogEvent_type_id_idx" ON "LogEvent"("type", "id");

-- CreateIndex
CREATE INDEX "LogEvent_userId_id_idx" ON "LogEvent"("userId", "id");

-- CreateIndex
CREATE INDEX "LogEvent_userName_id_idx" ON "LogEvent"("userName", "id");

-- CreateIndex
CREATE INDEX "LogEvent_ip_id_idx" ON "LogEvent"("ip", "id");

-- CreateIndex
CREATE INDEX "LogEvent_clientId_id_idx" ON "LogEvent"("clientId", "id");

-- CreateIndex
CREATE INDEX "LogEvent_connection_id_idx" ON "LogEvent"("connection", "id");

