import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseConfigText, resolveConfig } from '../lib/config/layering.ts';
import { ConfigError } from '../lib/errors.ts';
import { readJsonlAll } from '../lib/jsonl.ts';
import type { RagR1Config } from '../lib/rag-r1/config.ts';
import { RlQuestionSchema } from '../lib/rag-r1/records.ts';
import { buildVerlRunDir } from '../lib/rag-r1/verl/run-dir.ts';
import { getRecipe } from '../lib/recipes/index.ts';

const INFRA_VERL = resolve(dirname(fileURLToPath(import.meta.url)), '../infra/verl');
const PAPER_RETRIEVER_URL = 'http://127.0.0.1:8000/retrieve';

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new ConfigError(`${flag}: "${value}" is not a positive integer`);
    }
    return parsed;
  };
}

interface RenderOptions {
  preset?: string;
  config?: string;
  set: string[];
  train: string;
  val: string;
  sftCheckpoint: string;
  out: string;
  clusterDir?: string;
  nodes: number;
  gpusPerNode: number;
  retrieverUrl?: string;
  project: string;
  experiment?: string;
  json: boolean;
}

async function renderRunDir(options: RenderOptions): Promise<void> {
  const recipe = getRecipe('rag-r1');
  const file = options.config
    ? parseConfigText(options.config, await readFile(options.config, 'utf8'))
    : undefined;
  const resolved = resolveConfig({ recipe, preset: options.preset, sets: options.set, file });
  const config = resolved.config as RagR1Config;
  const out = resolve(options.out);
  const run = buildVerlRunDir({
    config,
    train: await readJsonlAll(options.train, RlQuestionSchema),
    val: await readJsonlAll(options.val, RlQuestionSchema),
    clusterDir: options.clusterDir ?? out,
    sftCheckpoint: options.sftCheckpoint,
    retrieverUrl: options.retrieverUrl ?? config.retrieval.url ?? PAPER_RETRIEVER_URL,
    nodes: options.nodes,
    gpusPerNode: options.gpusPerNode,
    projectName: options.project,
    experimentName: options.experiment ?? config.name,
  });
  for (const [relative, text] of Object.entries(run.files)) {
    await mkdir(dirname(join(out, relative)), { recursive: true });
    await writeFile(join(out, relative), text);
  }
  // The run directory is shipped to the cluster as is, so it carries its own launcher.
  for (const name of ['launch.sh', 'jsonl_to_parquet.py', 'check_overrides.py']) {
    await copyFile(join(INFRA_VERL, name), join(out, name));
  }
  await chmod(join(out, 'launch.sh'), 0o755);
  const summary = { out, configHash: resolved.hash, overrides: run.args, warnings: run.warnings };
  if (options.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`wrote ${out} (config ${resolved.hash}, ${run.args.length} overrides)`);
  for (const warning of run.warnings) console.log(`warning: ${warning}`);
  console.log(`next: copy it to the head node, then  ${out}/launch.sh dry-run ${out}`);
}

/**
 * `rag-r1 verl render`: writes a self-contained veRL run directory (Hydra overrides, veRL
 * parquet rows as jsonl, run.env, launch.sh) for multi-GPU / multi-node PPO on a Ray
 * cluster. Nothing is launched; see lib/rag-r1/verl/README.md.
 */
export function registerVerlCommands(program: Command): void {
  const verl = program
    .command('verl')
    .description('paper-scale PPO on veRL + Ray (renders a run directory; never launches)');
  verl
    .command('render')
    .description('write overrides.txt, data/*.jsonl, run.env and launch.sh for a veRL PPO run')
    .option('--preset <name>', 'rag-r1 preset (tiny, rag-r1-sq, rag-r1-mq)')
    .option('--config <file>', 'JSON config file layered over the preset')
    .option('--set <key=value>', 'override a config field (repeatable)', collect, [])
    .requiredOption('--train <jsonl>', 'RL training questions (the filter stage output)')
    .requiredOption('--val <jsonl>', 'RL validation questions')
    .requiredOption(
      '--sft-checkpoint <dir>',
      'HF checkpoint of the SFT policy, as the cluster sees it',
    )
    .requiredOption('--out <dir>', 'run directory to write')
    .option(
      '--cluster-dir <dir>',
      'absolute path of the run directory on the head node (default: --out)',
    )
    .option('--nodes <n>', 'nodes in the Ray cluster', positiveInt('--nodes'), 1)
    .option('--gpus-per-node <n>', 'GPUs per node', positiveInt('--gpus-per-node'), 8)
    .option('--retriever-url <url>', `retrieval.url, else ${PAPER_RETRIEVER_URL}`)
    .option('--project <name>', 'trainer.project_name', 'rag-r1-lab')
    .option('--experiment <name>', 'trainer.experiment_name (default: config name)')
    .option('--json', 'machine-readable summary', false)
    .action(renderRunDir);
}
