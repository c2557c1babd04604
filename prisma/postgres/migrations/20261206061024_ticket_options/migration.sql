-- AlterTable
ALTER TABLE "AccountTicket" ADD COLUMN     "markEmailVerified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "resultUrl" TEXT;

