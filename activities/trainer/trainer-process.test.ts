import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { runTrainerProcess, type TrainerEvent } from './trainer-process.ts';

// A stand-in trainer package speaking the real protocol, so the process handling (events,
// exit codes, process-group kill) is exercised against a real child process.
const FAKE_TRAINER = `
import json, sys, time, os
sub = sys.argv[1]
def emit(**event): print(json.dumps(event), flush=True)
if sub == 'ok':
    for step in range(1, 4):
        emit(event='progress', step=step, total=3, metrics={'loss': 1.0 / step})
    emit(event='checkpoint', path='/tmp/x', step=3)
    emit(event='done', steps=3)
elif sub == 'bad-config':
    emit(event='error', code='CONFIG_INVALID', message='lr: must be positive')
    sys.exit(2)
elif sub == 'crash':
    print('Traceback: boom', file=sys.stderr)
    sys.exit(1)
elif sub == 'hang':
    open(os.environ['PID_FILE'], 'w').write(str(os.getpid()))
    emit(event='progress', step=1, total=100, metrics={})
    time.sleep(60)
`;

const tempDir = useTempDirs();
let packageDir = '';

beforeAll(async () => {
  packageDir = tempDir('fake-trainer-');
  await mkdir(join(packageDir, 'rag_r1_trainer'));
  await writeFile(join(packageDir, 'rag_r1_trainer', '__init__.py'), '');
  await writeFile(join(packageDir, 'rag_r1_trainer', '__main__.py'), FAKE_TRAINER);
});

function run(subcommand: string, signal = new AbortController().signal) {
  const events: TrainerEvent[] = [];
  const promise = runTrainerProcess({
    python: 'python3',
    packageDir,
    subcommand,
    configPath: '/dev/null',
    signal,
    killGraceMs: 200,
    onEvent: (event) => void events.push(event),
  });
  return { events, promise };
}

describe('runTrainerProcess', () => {
  it('streams progress and checkpoint events and resolves on done', async () => {
    const { events, promise } = run('ok');
    await expect(promise).resolves.toMatchObject({ event: 'done' });
    expect(events.map((event) => event.event)).toEqual([
      'progress',
      'progress',
      'progress',
      'checkpoint',
      'done',
    ]);
  });

  it('maps a reported config error to a non-retryable ConfigError', async () => {
    await expect(run('bad-config').promise).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'trainer: lr: must be positive',
    });
  });

  it('reports a crash with the tail of stderr', async () => {
    await expect(run('crash').promise).rejects.toMatchObject({ code: 'TRAINER_CRASHED' });
    await expect(run('crash').promise).rejects.toThrow(/boom/);
  });

  it('kills the process group when cancelled', async () => {
    const pidFile = join(packageDir, 'pid');
    process.env['PID_FILE'] = pidFile;
    const controller = new AbortController();
    const { events, promise } = run('hang', controller.signal);
    while (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await expect(promise).rejects.toThrow(/cancelled/);
    const { readFile } = await import('node:fs/promises');
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
