import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RagR1Config } from './config.ts';
import { missingForPaperRun } from './presets.ts';

/** The projection layers of the architectures LoRA targets are usually named after. */
const LINEAR_LAYERS: Record<string, string[]> = {
  llama: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  qwen2: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  mistral: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * What would fail hours into a run, found at launch: a Hugging Face model directory that is
 * not one, a tokenizer without a chat template, LoRA targets the architecture lacks, and the
 * inputs a paper-scale run must be given. Each problem names its config field.
 */
export async function ragR1Preflight(config: RagR1Config): Promise<string[]> {
  const problems = [...missingForPaperRun(config)];
  const { model } = config.sft;
  if (model.kind !== 'hf' || !model.path || model.path.startsWith('builtin:')) return problems;
  const dir = model.path;
  const hfConfig = await readJson(join(dir, 'config.json'));
  if (!hfConfig || typeof hfConfig['model_type'] !== 'string') {
    problems.push(
      `sft.model.path: ${dir} is not a Hugging Face model directory (no config.json with a model_type)`,
    );
    return problems;
  }
  const tokenizerConfig = await readJson(join(dir, 'tokenizer_config.json'));
  const template =
    typeof tokenizerConfig?.['chat_template'] === 'string' ||
    (await exists(join(dir, 'chat_template.jinja')));
  if (!template) {
    problems.push(
      `sft.model.path: ${dir} has no chat template (tokenizer_config.json chat_template or chat_template.jinja)`,
    );
  }
  const layers = LINEAR_LAYERS[hfConfig['model_type']];
  for (const section of ['sft', 'ppo'] as const) {
    const lora = config[section].lora;
    const unknown = layers && lora ? lora.targetModules.filter((t) => !layers.includes(t)) : [];
    if (unknown.length > 0) {
      problems.push(
        `${section}.lora.targetModules: ${unknown.join(', ')} not in a ${hfConfig['model_type']} model (its projections: ${layers!.join(', ')})`,
      );
    }
  }
  return problems;
}
