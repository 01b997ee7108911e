import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { LabError } from '../../../lib/errors.ts';
import type { ArtifactDownload, WebServices } from '../service-types.ts';
import type {
  Comparison,
  LaunchRequest,
  SweepCreate,
  RunDetail,
  RunSummary,
  SweepView,
  TrajectoryPair,
  ValidationResult,
} from '../types.ts';

/**
 * An in-memory WebServices for the server's unit tests: routes, auth and path-traversal
 * checks run without Postgres or Temporal. Calls are recorded so tests can assert that a
 * refused request never reached the platform.
 */
export class MemoryServices implements WebServices {
  readonly calls: string[] = [];
  readonly runs = new Map<string, RunDetail>();
  readonly sweeps = new Map<string, SweepView>();
  /** Artifact bodies by sha256; `openArtifact` serves only these. */
  readonly artifacts = new Map<string, Buffer>();
  private counter = 0;

  addArtifact(content: string): string {
    const sha256 = createHash('sha256').update(content).digest('hex');
    this.artifacts.set(sha256, Buffer.from(content));
    return sha256;
  }

  async listRecipes() {
    this.calls.push('listRecipes');
    return [{ name: 'demo', description: 'memory demo', presets: ['tiny'], stages: ['a', 'b'] }];
  }

  async presetConfig(recipe: string, preset: string) {
    this.calls.push(`presetConfig:${recipe}:${preset}`);
    return { name: preset, steps: 3 };
  }

  async validateConfig(request: LaunchRequest): Promise<ValidationResult> {
    this.calls.push('validateConfig');
    const steps = request.config['steps'];
    if (steps !== undefined && (typeof steps !== 'number' || steps <= 0)) {
      return { ok: false, errors: [{ path: 'steps', message: 'expected a positive number' }] };
    }
    return {
      ok: true,
      config: request.config,
      cachePlan: [{ stage: 'a', cacheKey: 'k-a', reused: true }, { stage: 'b', cacheKey: 'k-b', reused: false }],
    };
  }

  async launchRun(request: LaunchRequest) {
    this.calls.push('launchRun');
    const id = `run-${++this.counter}`;
    const now = new Date().toISOString();
    this.runs.set(id, {
      id,
      workflowId: `wf-${id}`,
      experimentName: String(request.config['name'] ?? request.preset ?? 'run'),
      recipe: request.recipe,
      preset: request.preset ?? null,
      status: 'RUNNING',
      createdAt: now,
      startedAt: now,
      finishedAt: null,
      resumedFromId: null,
      metrics: {},
      config: request.config,
      error: null,
      stages: [],
      artifacts: [],
      evals: [],
      links: { temporal: 'http://temporal.invalid', mlflow: null },
    });
    return { runId: id, workflowId: `wf-${id}` };
  }

  async listRuns(): Promise<RunSummary[]> {
    this.calls.push('listRuns');
    return [...this.runs.values()];
  }

  async getRun(runId: string): Promise<RunDetail> {
    this.calls.push(`getRun:${runId}`);
    const run = this.runs.get(runId);
    if (!run) throw new LabError('NOT_FOUND', `run ${runId} not found`);
    return run;
  }

  async runMetrics(runId: string) {
    await this.getRun(runId);
    return [{ key: 'ppo/reward', points: [{ step: 1, value: 0.1 }, { step: 2, value: 0.3 }] }];
  }

  async runLogs(runId: string) {
    await this.getRun(runId);
    return [{ at: new Date().toISOString(), level: 'info' as const, text: 'started' }];
  }

  async resumeRun(runId: string) {
    this.calls.push(`resumeRun:${runId}`);
    const run = await this.getRun(runId);
    const resumed = await this.launchRun({ recipe: run.recipe, config: {}, force: false });
    return resumed;
  }

  async cancelRun(runId: string) {
    this.calls.push(`cancelRun:${runId}`);
    const run = await this.getRun(runId);
    run.status = 'CANCELLED';
  }

  async compareRuns(runIds: string[]): Promise<Comparison> {
    this.calls.push('compareRuns');
    const runs = await Promise.all(runIds.map((id) => this.getRun(id)));
    return {
      runs: runs.map((run) => ({ id: run.id, name: run.experimentName, status: run.status })),
      baseline: runIds[0] ?? '',
      metric: 'em',
      rows: [],
      averages: [],
      stampWarnings: [],
      configDiffs: [],
      intervalMethod: 'none',
    };
  }

  async trajectories(): Promise<TrajectoryPair> {
    this.calls.push('trajectories');
    throw new LabError('NOT_FOUND', 'no evaluation outputs');
  }

  async listSweeps() {
    return [...this.sweeps.values()];
  }

  async createSweep(request: SweepCreate) {
    this.calls.push('createSweep');
    const sweep: SweepView = {
      id: `sweep-${++this.counter}`,
      name: request.name,
      schedule: request.cron ? `cron ${request.cron}` : `every ${request.intervalSeconds}s`,
      paused: false,
      overlap: request.overlap ?? 'skip',
      executions: 0,
      running: 0,
      nextRuns: [],
      spec: request,
      results: [],
    };
    this.sweeps.set(sweep.id, sweep);
    return sweep;
  }

  async pauseSweep(id: string) {
    this.calls.push(`pauseSweep:${id}`);
    this.requireSweep(id).paused = true;
  }

  async resumeSweep(id: string) {
    this.calls.push(`resumeSweep:${id}`);
    this.requireSweep(id).paused = false;
  }

  async triggerSweep(id: string) {
    this.calls.push(`triggerSweep:${id}`);
    this.requireSweep(id).executions += 1;
  }

  async deleteSweep(id: string) {
    this.calls.push(`deleteSweep:${id}`);
    this.requireSweep(id);
    this.sweeps.delete(id);
  }

  async openArtifact(sha256: string): Promise<ArtifactDownload> {
    this.calls.push(`openArtifact:${sha256}`);
    const body = this.artifacts.get(sha256);
    if (!body) throw new LabError('NOT_FOUND', `artifact ${sha256} not found`);
    return {
      body: Readable.from([body]),
      bytes: body.length,
      mediaType: 'text/plain',
      filename: `${sha256.slice(0, 12)}.txt`,
    };
  }

  async snapshot() {
    const entries = [...this.runs.values()].map((run) => [`run:${run.id}`, run.status] as const);
    return { runs: String(this.runs.size), ...Object.fromEntries(entries) };
  }

  async close() {}

  private requireSweep(id: string): SweepView {
    const sweep = this.sweeps.get(id);
    if (!sweep) throw new LabError('NOT_FOUND', `sweep ${id} not found`);
    return sweep;
  }
}
