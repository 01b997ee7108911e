import type { Readable } from 'node:stream';
import type {
  Comparison,
  LaunchRequest,
  RecipeInfo,
  RunDetail,
  RunFilter,
  RunSummary,
  SweepCreate,
  SweepView,
  TrajectoryPair,
  TrajectoryRequest,
  ValidationResult,
  MetricSeries,
  LogLine,
} from './types.ts';

/** An artifact body ready to stream to the browser. */
export type ArtifactDownload = {
  body: Readable;
  bytes: number;
  mediaType: string;
  filename: string;
};

/**
 * Everything the web server needs from the platform. The HTTP layer only calls these, so the
 * implementation (services.ts) can be re-pointed at shared run operations without touching
 * routes or UI. Methods throw LabError('NOT_FOUND') for unknown ids and ConfigError for bad
 * input; the server maps those to 404 and 400.
 */
export interface WebServices {
  listRecipes(): Promise<RecipeInfo[]>;
  presetConfig(recipe: string, preset: string): Promise<Record<string, unknown>>;
  validateConfig(request: LaunchRequest): Promise<ValidationResult>;
  launchRun(request: LaunchRequest): Promise<{ runId: string; workflowId: string }>;
  listRuns(filter: RunFilter): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunDetail>;
  runMetrics(runId: string): Promise<MetricSeries[]>;
  runLogs(runId: string): Promise<LogLine[]>;
  resumeRun(runId: string): Promise<{ runId: string; workflowId: string }>;
  cancelRun(runId: string): Promise<void>;
  compareRuns(runIds: string[]): Promise<Comparison>;
  trajectories(request: TrajectoryRequest): Promise<TrajectoryPair>;
  listSweeps(): Promise<SweepView[]>;
  createSweep(request: SweepCreate): Promise<SweepView>;
  pauseSweep(id: string): Promise<void>;
  resumeSweep(id: string): Promise<void>;
  /** Starts one execution of the sweep now. */
  triggerSweep(id: string): Promise<void>;
  deleteSweep(id: string): Promise<void>;
  /** `sha256` is already validated as 64 lowercase hex characters by the caller. */
  openArtifact(sha256: string): Promise<ArtifactDownload>;
  /** A version string per watched key; the event hub pushes the keys whose version changed. */
  snapshot(): Promise<Record<string, string>>;
  close(): Promise<void>;
}
