-- AlterTable
ALTER TABLE "EvalResult" ADD COLUMN     "questionEm" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
ADD COLUMN     "questionF1" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
ADD COLUMN     "questionIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "stampHash" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "EvalCacheEntry" ADD COLUMN     "finishReason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "summary" JSONB;

-- CreateIndex
CREATE INDEX "EvalResult_runId_method_dataset_createdAt_idx" ON "EvalResult"("runId", "method", "dataset", "createdAt");
