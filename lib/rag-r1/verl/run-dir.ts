import { ConfigError } from '../../errors.ts';
import type { RagR1Config } from '../config.ts';
import type { RlQuestion } from '../records.ts';
import { toVerlRows, verlRowsToJsonl } from './parquet-rows.ts';
import { renderVerlPpoArgs, VerlTuningSchema, type VerlTuning } from './render-config.ts';

/** Inputs of one veRL run directory; paths are those the head node will see. */
export interface BuildVerlRunDirOptions {
  config: RagR1Config;
  train: RlQuestion[];
  val: RlQuestion[];
  /** Absolute path the run directory will have on the head node. */
  clusterDir: string;
  sftCheckpoint: string;
  retrieverUrl: string;
  nodes: number;
  gpusPerNode: number;
  projectName: string;
  experimentName: string;
  /** veRL checkpoint directory; default `<clusterDir>/checkpoints`. */
  outputDir?: string;
  tuning?: Partial<VerlTuning>;
}

/** The files to write (relative path -> text), the override list, and what to warn about. */
export interface VerlRunDir {
  files: Record<string, string>;
  args: string[];
  warnings: string[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function warningsFor(options: BuildVerlRunDirOptions, tuning: VerlTuning): string[] {
  const warnings: string[] = [];
  const { config } = options;
  if (options.nodes > 1 && LOOPBACK_HOSTS.has(new URL(options.retrieverUrl).hostname)) {
    warnings.push(
      `retriever URL ${options.retrieverUrl} is loopback but the run spans ${options.nodes} nodes: ` +
        "main_ppo's driver task (which calls the retriever) may be scheduled on any node",
    );
  }
  if (config.sft.model.kind !== 'hf') {
    warnings.push(
      `sft.model.kind is "${config.sft.model.kind}": veRL loads a Hugging Face checkpoint, ` +
        'so --sft-checkpoint must point at one',
    );
  }
  const batchesPerEpoch = Math.floor(options.train.length / config.ppo.batchSize);
  const reachable = batchesPerEpoch * tuning.totalEpochs;
  if (reachable < config.ppo.steps) {
    warnings.push(
      `${options.train.length} train rows / batch ${config.ppo.batchSize} = ${batchesPerEpoch} ` +
        `batches per epoch x ${tuning.totalEpochs} epochs: veRL stops at step ${reachable}, ` +
        `not ppo.steps=${config.ppo.steps} (spec 5 notes the same for the paper's sq run)`,
    );
  }
  return warnings;
}

/**
 * Everything a veRL run needs besides veRL itself: `overrides.txt` (one Hydra override per
 * line), the train/test rows as jsonl (the launcher converts them to parquet), `run.env` for
 * the launcher, and the resolved config for the record. Pure; the CLI writes the files.
 */
export function buildVerlRunDir(options: BuildVerlRunDirOptions): VerlRunDir {
  const { config } = options;
  if (!options.clusterDir.startsWith('/')) {
    throw new ConfigError(`clusterDir: "${options.clusterDir}" must be an absolute path`);
  }
  if (options.train.length < config.ppo.batchSize) {
    throw new ConfigError(
      `train: ${options.train.length} rows is fewer than ppo.batchSize=${config.ppo.batchSize}; ` +
        "veRL's train loader drops the last partial batch and would have none",
    );
  }
  if (options.val.length === 0) throw new ConfigError('val: no validation rows');
  const world = options.nodes * options.gpusPerNode;
  const requestedVal = options.tuning?.valBatchSize ?? VerlTuningSchema.parse({}).valBatchSize;
  // veRL's val loader also drops the last partial batch: never ask for more than there is.
  // (A batch the GPUs cannot split is fine: the generation manager pads it to the world size.)
  const valBatchSize = Math.min(requestedVal, options.val.length);
  const tuning = VerlTuningSchema.parse({ ...options.tuning, valBatchSize });
  const dataDir = `${options.clusterDir.replace(/\/+$/, '')}/data`;
  const args = renderVerlPpoArgs(
    config,
    {
      trainParquet: `${dataDir}/train.parquet`,
      valParquet: `${dataDir}/test.parquet`,
      sftCheckpoint: options.sftCheckpoint,
      outputDir: options.outputDir ?? `${options.clusterDir.replace(/\/+$/, '')}/checkpoints`,
      retrieverUrl: options.retrieverUrl,
      nodes: options.nodes,
      gpusPerNode: options.gpusPerNode,
      projectName: options.projectName,
      experimentName: options.experimentName,
    },
    tuning,
  );
  const mode = config.agent.mode;
  const runEnv = [
    `MODE=${mode}`,
    `NODES=${options.nodes}`,
    `GPUS_PER_NODE=${options.gpusPerNode}`,
    `WORLD_SIZE=${world}`,
    `EXPERIMENT=${shellQuote(options.experimentName)}`,
  ];
  return {
    args,
    warnings: warningsFor(options, tuning),
    files: {
      'overrides.txt': `${args.join('\n')}\n`,
      'data/train.jsonl': verlRowsToJsonl(toVerlRows(options.train, { mode, split: 'train' })),
      'data/test.jsonl': verlRowsToJsonl(toVerlRows(options.val, { mode, split: 'test' })),
      'run.env': `${runEnv.join('\n')}\n`,
      'config.json': `${JSON.stringify(config, null, 2)}\n`,
    },
  };
}
