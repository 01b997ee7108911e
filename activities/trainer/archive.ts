import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

/**
 * Checkpoints are directories (weights, optimizer, RNG state, tokenizer); they travel to S3 as
 * one gzipped tar so a checkpoint is a single content-addressed artifact. Fastest gzip level:
 * float weights barely compress, and on 100 MB of SmolLM2 safetensors level 1 took 4.2 s
 * against the default's 15.6 s for a 5% larger archive (a 135M model's checkpoint with its
 * optimizer state is ~1.6 GB).
 */
export async function packDirectory(
  dir: string,
  outFile: string,
  options: { exclude?: string[] } = {},
): Promise<void> {
  const excludes = (options.exclude ?? []).map((name) => `--exclude=./${name}`);
  await runTar(['-I', 'gzip -1', '-cf', outFile, ...excludes, '-C', dir, '.']);
}

export async function unpackArchive(file: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await runTar(['-xzf', file, '-C', dir]);
}

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar ${args.join(' ')} failed: ${stderr.trim()}`)),
    );
  });
}
