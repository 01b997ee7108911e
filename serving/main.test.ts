/**
 * `serving/main.ts` as a user runs it: a child process on a trainer `export-onnx` directory,
 * asked over HTTP on loopback; and its refusal of a tokenizer.json it cannot read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../lib/tokenizer/tokenizer.ts';
import { readGreedyVectors, TINY_POLICY_DIR } from './fixtures/tiny-policy.ts';

const ROOT = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const scratch: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function startMain(checkpoint: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'serving/main.ts', '--checkpoint', checkpoint, '--port', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return child;
}

/** The `/v1` URL from the server's `listening` event (pino log lines are skipped). */
async function listeningUrl(child: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const event = JSON.parse(line) as { event?: string; url?: string };
    if (event.event === 'listening') return event.url as string;
  }
  throw new Error('serving/main.ts exited before listening');
}

describe('serving/main.ts', () => {
  it('serves a trainer export-onnx checkpoint greedily as PyTorch decoded it', async () => {
    const url = await listeningUrl(startMain(TINY_POLICY_DIR));
    const [vector] = await readGreedyVectors();
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'local-onnx',
        messages: [{ role: 'user', content: vector?.prompt }],
        max_tokens: 32,
        temperature: 0,
        stop: ['</answer>', '</search>'],
        include_stop_str_in_output: true,
      }),
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    const tokenizer = loadTokenizer(join(TINY_POLICY_DIR, 'tokenizer.json'));
    expect(json.choices[0]?.message.content).toBe(tokenizer.decode(vector?.continuation_ids ?? []));
  });

  it('exits naming the tokenizer file and its unknown format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serving-main-'));
    scratch.push(dir);
    await copyFile(join(TINY_POLICY_DIR, 'config.json'), join(dir, 'config.json'));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ format: 'bpe-v1' }));
    const child = startMain(dir);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(
      `serving: ${join(dir, 'tokenizer.json')}: unknown tokenizer format: found "format": "bpe-v1"`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
