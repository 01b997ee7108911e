import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../workers/start-worker.ts';

const { History } = proto.temporal.api.history.v1;

const WORKFLOW_IDS = JSON.parse(
  readFileSync(fileURLToPath(new URL('./histories/workflow-ids.json', import.meta.url)), 'utf8'),
) as Record<string, string>;

function history(name: string) {
  const path = fileURLToPath(new URL(`./histories/${name}.pb`, import.meta.url));
  return History.decode(readFileSync(path));
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

// Replays committed histories against today's workflow code: a nondeterministic change (a
// reordered command, a new activity without `patched()`) fails here before it breaks live runs.
describe('workflow replay', () => {
  it('replays a recorded experiment and shard history without nondeterminism', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quiet,
    });
    const experiment = history('experiment');
    expect(experiment.events.length).toBeGreaterThan(10);
    await expect(
      Worker.runReplayHistory({ workflowBundle }, experiment, WORKFLOW_IDS.experiment),
    ).resolves.toBeUndefined();
    await expect(
      Worker.runReplayHistory({ workflowBundle }, history('shard')),
    ).resolves.toBeUndefined();
  });
});
