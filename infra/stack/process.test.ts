import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import { isRecordAlive } from './pid-file.ts';
import { logFilePath, runCommand, spawnDetached, stopRecord } from './process.ts';

const tempDir = useTempDirs();

describe('detached service processes', () => {
  const logsDir = tempDir('stack-logs-');

  it('starts a process group that outlives its spawner and stops all of it', async () => {
    // a shell with a child: stopping the group must take the child along
    const record = spawnDetached({
      service: 'fake',
      command: 'sh',
      args: ['-c', 'echo started; sleep 60 & wait'],
      logsDir,
      commandMarker: 'sleep 60',
    });
    expect(record.isGroup).toBe(true);
    await new Promise((done) => setTimeout(done, 200));
    expect(isRecordAlive(record)).toBe(true);
    await stopRecord(record, 'SIGTERM', 5_000);
    expect(isRecordAlive(record)).toBe(false);
    expect(readFileSync(logFilePath(logsDir, 'fake'), 'utf8')).toContain('started');
  });
});

describe('runCommand', () => {
  it('returns output and turns a failure into one line naming the purpose', async () => {
    expect(await runCommand('sh', ['-c', 'echo hi'], { purpose: 'greet' })).toBe('hi\n');
    await expect(
      runCommand('sh', ['-c', 'echo broken >&2; exit 3'], { purpose: 'minio: go install' }),
    ).rejects.toThrow('minio: go install failed (exit 3): broken');
  });
});
