import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import {
  isRecordAlive,
  pidFilePath,
  readPidRecord,
  readProcCmdline,
  removePidRecord,
  writePidRecord,
  type PidRecord,
} from './pid-file.ts';

const RECORD: PidRecord = {
  service: 'minio',
  pid: 4242,
  commandMarker: '/srv/.data/bin/minio',
  isGroup: true,
  startedAt: '2026-01-01T00:00:00.000Z',
};

const tempDir = useTempDirs();

describe('pid files', () => {
  const runDir = join(tempDir('stack-pid-'), 'run');

  it('round-trips a record and removes it', () => {
    writePidRecord(runDir, RECORD);
    expect(readPidRecord(runDir, 'minio')).toEqual(RECORD);
    removePidRecord(runDir, 'minio');
    expect(readPidRecord(runDir, 'minio')).toBeUndefined();
  });

  it('treats a corrupt or foreign file as no record', () => {
    writeFileSync(pidFilePath(runDir, 'temporal'), '{"pid": "nope"');
    expect(readPidRecord(runDir, 'temporal')).toBeUndefined();
    writeFileSync(pidFilePath(runDir, 'temporal'), JSON.stringify({ ...RECORD, extra: 1 }));
    expect(readPidRecord(runDir, 'temporal')).toBeUndefined();
  });

  it('is alive only while the pid runs the recorded command', () => {
    const commands = new Map([[4242, '/srv/.data/bin/minio server /srv/.data/minio']]);
    expect(isRecordAlive(RECORD, (pid) => commands.get(pid))).toBe(true);
    commands.set(4242, '/usr/bin/vim notes.txt');
    expect(isRecordAlive(RECORD, (pid) => commands.get(pid))).toBe(false);
    commands.delete(4242);
    expect(isRecordAlive(RECORD, (pid) => commands.get(pid))).toBe(false);
  });

  it('reads real command lines from /proc', () => {
    expect(readProcCmdline(process.pid)).toContain('node');
    expect(readProcCmdline(2 ** 22 + 7)).toBeUndefined();
  });
});
