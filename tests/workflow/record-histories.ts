import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { createHarness } from './harness.ts';

/**
 * Records the histories that replay.int.test.ts replays: a files-demo run with a sharded stage
 * (parent and one shard child), as binary protobuf `History` messages. (The SDK's JSON history
 * loader trips over two protobufjs copies in this install, so JSON files cannot be replayed.)
 * Re-record only when a workflow change is meant to break replay; gate changes to live
 * workflows with `patched()` instead.
 *   npx tsx tests/workflow/record-histories.ts
 */
const { History } = proto.temporal.api.history.v1;
const harness = await createHarness('record');
try {
  const workers = await harness.workers();
  await workers.runUntil(async () => {
    const run = await harness.launch('files-demo', [
      'generate.records=200',
      'transform.rounds=5',
      'transform.checkpointEvery=50',
    ]);
    const outcome = await harness.waitForRun(run.runId);
    if (outcome.status !== 'COMPLETED') throw new Error(`recording run ended ${outcome.status}`);
    const ids: Record<string, string> = {};
    for (const [name, workflowId] of [
      ['experiment', run.workflowId],
      ['shard', `${run.workflowId}/transform/shard-0`],
    ] as const) {
      const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
      const path = fileURLToPath(new URL(`./histories/${name}.pb`, import.meta.url));
      writeFileSync(path, History.encode(History.fromObject(history)).finish());
      console.log(`wrote ${path} (${history.events?.length} events)`);
      ids[name] = workflowId;
    }
    // Child workflow ids derive from the parent's id, so replay needs the original ids.
    const index = fileURLToPath(new URL('./histories/workflow-ids.json', import.meta.url));
    writeFileSync(index, `${JSON.stringify(ids, null, 2)}\n`);
  });
} finally {
  await harness.close();
}
