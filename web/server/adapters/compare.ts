import type { PrismaClient } from '../../../infra/db/client.ts';
import { compareRuns as sharedCompareRuns } from '../../../infra/eval/compare-query.ts';
import { LabError } from '../../../lib/errors.ts';
import type { Comparison } from '../types.ts';

/**
 * Runs side by side through the shared comparison (the one `rag-r1 compare` prints): the first
 * run is the baseline. Run configs are left out of the answer; their differences are in
 * `configDiffs`.
 */
export async function compareRuns(db: PrismaClient, runIds: string[]): Promise<Comparison> {
  const found = await db.run.findMany({ where: { id: { in: runIds } }, select: { id: true } });
  const missing = runIds.filter((id) => !found.some((run) => run.id === id));
  if (missing.length > 0) throw new LabError('NOT_FOUND', `run ${missing.join(', ')} not found`);
  const { runs, timing: _timing, ...comparison } = await sharedCompareRuns(db, runIds);
  return {
    ...comparison,
    runs: runs.map((run) => ({
      id: run.id,
      ...(run.name !== undefined ? { name: run.name } : {}),
      ...(run.status !== undefined ? { status: run.status } : {}),
    })),
  };
}
