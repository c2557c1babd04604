-- CreateIndex
CREATE INDEX "User_email_idx" ON "User"("email");

-- CreateIndex
CREATE INDEX "User_username_idx" ON "User"("username");

-- CreateIndex
CREATE INDEX "User_name_idx" ON "User"("name");

-- CreateIndex
CREATE INDEX "User_nickname_idx" ON "User"("nickname");

-- CreateIndex
CREATE INDEX "User_givenName_idx" ON "User"("givenName");

-- CreateIndex
CREATE INDEX "User_familyName_idx" ON "User"("familyName");

-- CreateIndex
CREATE INDEX "User_createdAt_userId_idx" ON "User"("createdAt", "userId");

