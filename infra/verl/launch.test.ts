import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RagR1ConfigSchema } from '../../lib/rag-r1/config.ts';
import { RAG_R1_PRESETS } from '../../lib/rag-r1/presets.ts';
import { buildVerlRunDir } from '../../lib/rag-r1/verl/run-dir.ts';

const LAUNCH = join(import.meta.dirname, 'launch.sh');
const runDir = mkdtempSync(join(tmpdir(), 'verl-launch-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('launch.sh (dry-run only: nothing here can start Ray or veRL)', () => {
  it('parses as bash', () => {
    execFileSync('bash', ['-n', LAUNCH]);
  });

  it('prints main_ppo with every override, in order, as single arguments', () => {
    const run = buildVerlRunDir({
      config: RagR1ConfigSchema.parse(RAG_R1_PRESETS['rag-r1-mq']),
      train: Array.from({ length: 512 }, (_, index) => ({
        id: `q${index}`,
        question: `q ${index}`,
        golden_answers: ['a'],
        dataset: 'hotpotqa',
      })),
      val: [{ id: 'v', question: 'v', golden_answers: ['a'], dataset: 'hotpotqa' }],
      clusterDir: join(runDir),
      sftCheckpoint: '/models/sft mq',
      retrieverUrl: 'http://10.0.0.5:8000/retrieve',
      nodes: 2,
      gpusPerNode: 8,
      projectName: 'p',
      experimentName: 'e',
    });
    for (const [relative, text] of Object.entries(run.files)) {
      mkdirSync(dirname(join(runDir, relative)), { recursive: true });
      writeFileSync(join(runDir, relative), text);
    }
    const output = execFileSync('bash', [LAUNCH, 'dry-run', runDir], { encoding: 'utf8' });
    expect(output).toContain('# mode=mq nodes=2 gpus_per_node=8 world=16');
    expect(output).toContain('generation_mq.py as generation.py');
    const command = output.trimEnd().split('\n').at(-1) ?? '';
    const argv = execFileSync('bash', ['-c', `printf '%s\\n' ${command}`], { encoding: 'utf8' })
      .trimEnd()
      .split('\n');
    const at = argv.indexOf('verl.trainer.main_ppo');
    expect(argv.slice(at + 1)).toEqual(run.args);
    expect(argv).toContain("actor_rollout_ref.model.path='/models/sft mq'");
  });

  it('refuses a directory without run.env', () => {
    expect(() => execFileSync('bash', [LAUNCH, 'dry-run', tmpdir()], { stdio: 'pipe' })).toThrow(
      /no run.env/,
    );
  });
});
