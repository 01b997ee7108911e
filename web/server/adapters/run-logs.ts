import type { PrismaClient } from '../../../infra/db/client.ts';
import { LabError } from '../../../lib/errors.ts';
import type { LogLine } from '../types.ts';

/** Reads an artifact's bytes by sha256 (the artifact store's `getBytes`). */
export type ArtifactBytes = (sha256: string) => Promise<Uint8Array>;

const MAX_LOG_ARTIFACTS = 12;
const LINES_PER_ARTIFACT = 60;
const STAGE_LOG_LINE = /^(\S+Z) (info|warn|error) (.*)$/;

function parseStageLogLine(text: string): LogLine | null {
  const match = STAGE_LOG_LINE.exec(text);
  if (!match) return text.trim() ? { at: new Date(0).toISOString(), level: 'info', text } : null;
  const [, at = '', level = 'info', rest = ''] = match;
  return { at, level: level as LogLine['level'], text: rest };
}

/** Lines the registry itself tells: attempts starting, finishing, failing, cache hits. */
function lifecycleLines(rows: Array<{
  stage: string; shard: number; attempt: number; status: string; cacheHit: boolean; taskQueue: string;
  workerIdentity: string | null; error: string | null; startedAt: Date | null; finishedAt: Date | null; createdAt: Date;
}>): LogLine[] {
  const lines: LogLine[] = [];
  for (const row of rows) {
    const name = `[${row.stage}${row.shard >= 0 ? `#${row.shard}` : ''} attempt ${row.attempt}]`;
    if (row.cacheHit) {
      lines.push({ at: row.createdAt.toISOString(), level: 'info', text: `${name} reused from cache` });
      continue;
    }
    if (row.startedAt) {
      const where = `${row.taskQueue}${row.workerIdentity ? ` on ${row.workerIdentity}` : ''}`;
      lines.push({ at: row.startedAt.toISOString(), level: 'info', text: `${name} started (${where})` });
    }
    if (row.finishedAt) {
      const level = row.status === 'FAILED' ? 'error' : row.status === 'CANCELLED' ? 'warn' : 'info';
      const suffix = row.error ? `: ${row.error}` : '';
      lines.push({ at: row.finishedAt.toISOString(), level, text: `${name} ${row.status.toLowerCase()}${suffix}` });
    }
  }
  return lines;
}

/**
 * A run's recent log: lifecycle lines from StageRun rows plus the tails of the stages' own log
 * artifacts (uploaded when an attempt ends), merged by time.
 */
export async function runLogs(db: PrismaClient, readArtifact: ArtifactBytes, runId: string): Promise<LogLine[]> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true, createdAt: true, finishedAt: true, status: true, error: true } });
  if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
  const rows = await db.stageRun.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
  const lines: LogLine[] = [{ at: run.createdAt.toISOString(), level: 'info', text: `run ${run.id} created` }];
  lines.push(...lifecycleLines(rows));
  const logRefs = rows
    .map((row) => (row.outputs as { log?: { sha256?: unknown } } | null)?.log?.sha256)
    .filter((sha): sha is string => typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha))
    .slice(-MAX_LOG_ARTIFACTS);
  const tails = await Promise.all(logRefs.map(async (sha256) => {
    try {
      const text = Buffer.from(await readArtifact(sha256)).toString('utf8');
      return text.split('\n').slice(-LINES_PER_ARTIFACT).map(parseStageLogLine).filter((line): line is LogLine => line !== null);
    } catch {
      return [{ at: new Date().toISOString(), level: 'warn' as const, text: `log artifact ${sha256.slice(0, 12)} unreadable` }];
    }
  }));
  for (const tail of tails) lines.push(...tail);
  if (run.finishedAt) {
    const level = run.status === 'FAILED' ? 'error' : 'info';
    lines.push({ at: run.finishedAt.toISOString(), level, text: `run ${run.status.toLowerCase()}${run.error ? `: ${run.error}` : ''}` });
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at)).slice(-300);
}
