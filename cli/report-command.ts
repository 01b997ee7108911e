import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { StageRunDetails } from '../activities/framework/types.ts';
import { LabError } from '../lib/errors.ts';
import { loadEnv } from '../lib/env.ts';
import { withDb } from './with-db.ts';

/** `rag-r1 report RUN`: the run's report (Markdown on stdout, or HTML to a file). */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("print a run's report (evaluation table, curves, stages, config)")
    .argument('<run>', 'run id')
    .option('--html <file>', 'write the HTML report to this file instead')
    .action(async (runId: string, options: { html?: string }) => {
      await withDb(async (db) => {
        const row = await db.stageRun.findFirst({
          where: { runId, stage: 'report', status: { in: ['COMPLETED', 'CACHED'] } },
          orderBy: { createdAt: 'desc' },
        });
        const artifacts = (row?.outputs as StageRunDetails | null)?.output?.artifacts;
        const ref = artifacts?.[options.html ? 'html' : 'markdown'];
        if (!ref) throw new LabError('NOT_FOUND', `run ${runId} has no completed report stage`);
        const { ArtifactStore } = await import('../infra/s3/artifact-store.ts');
        const bytes = await ArtifactStore.fromEnv(loadEnv(), db).getBytes(ref.sha256);
        if (options.html) {
          await writeFile(options.html, bytes);
          console.log(`wrote ${options.html}`);
        } else {
          process.stdout.write(new TextDecoder().decode(bytes));
        }
      });
    });
}
