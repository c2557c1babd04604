-- CreateIndex
CREATE INDEX "LogEvent_type_id_userName_idx" ON "LogEvent"("type", "id", "userName");

-- CreateIndex
CREATE INDEX "LogEvent_type_id_ip_idx" ON "LogEvent"("type", "id", "ip");

