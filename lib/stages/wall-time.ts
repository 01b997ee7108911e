/** The timestamps of one StageRun row (one shard, one attempt). */
export interface TimedRow {
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * A stage's wall time over its rows (every shard and attempt): first start to last finish, or
 * to `now` while the stage is open (or no row has finished). Null when no row has started.
 * Callers leave out rows served from the cache, which carry no time of their own.
 */
export function stageWallMs(
  rows: TimedRow[],
  { isOpen = false, now = Date.now() }: { isOpen?: boolean; now?: number } = {},
): number | null {
  const starts = rows
    .map((row) => row.startedAt?.getTime())
    .filter((t): t is number => t !== undefined);
  if (starts.length === 0) return null;
  const ends = rows
    .map((row) => row.finishedAt?.getTime())
    .filter((t): t is number => t !== undefined);
  const end = isOpen || ends.length === 0 ? now : Math.max(...ends);
  return end - Math.min(...starts);
}
