import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from './config.ts';
import { ragR1Preflight } from './preflight.ts';

const root = mkdtempSync(join(tmpdir(), 'preflight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function hfDir(name: string, files: Record<string, unknown>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, body] of Object.entries(files))
    writeFileSync(join(dir, file), JSON.stringify(body));
  return dir;
}

const withModel = (path: string, extra: Record<string, unknown> = {}) =>
  RagR1ConfigSchema.parse({ sft: { model: { kind: 'hf', path }, ...extra } });

describe('rag-r1 launch preflight', () => {
  it('accepts an HF directory with a chat template, and the built-in model', async () => {
    const dir = hfDir('good', {
      'config.json': { model_type: 'llama' },
      'tokenizer_config.json': { chat_template: '{{ messages }}' },
    });
    expect(await ragR1Preflight(withModel(dir))).toEqual([]);
    expect(await ragR1Preflight(withModel('builtin:smollm2-135m-instruct'))).toEqual([]);
  });

  it('names a path that is not an HF model, a missing chat template and unknown LoRA targets', async () => {
    expect(await ragR1Preflight(withModel(join(root, 'nowhere')))).toEqual([
      expect.stringContaining('sft.model.path') as string,
    ]);
    const dir = hfDir('no-template', { 'config.json': { model_type: 'qwen2' } });
    const lora = { targetModules: ['q_proj', 'c_attn'] };
    const problems = await ragR1Preflight(withModel(dir, { lora }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('no chat template');
    expect(problems[1]).toMatch(/^sft\.lora\.targetModules: c_attn not in a qwen2 model/);
  });
});
