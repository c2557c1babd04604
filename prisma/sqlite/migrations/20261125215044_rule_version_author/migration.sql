-- AlterTable
ALTER TABLE "RuleVersion" ADD COLUMN "createdBy" TEXT;

