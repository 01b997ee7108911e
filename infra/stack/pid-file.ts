import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** What the stack records about a process it started, so `down` stops exactly that one. */
export const PidRecordSchema = z
  .object({
    service: z.string(),
    pid: z.number().int().positive(),
    /** A substring of /proc/<pid>/cmdline; guards against a reused pid. */
    commandMarker: z.string(),
    /** Signal the whole process group (services that fork workers) or only the pid. */
    isGroup: z.boolean(),
    startedAt: z.string(),
  })
  .strict();
export type PidRecord = z.infer<typeof PidRecordSchema>;

/** The pid file path of a service. */
export function pidFilePath(runDir: string, service: string): string {
  return join(runDir, `${service}.pid.json`);
}

/** Writes the record atomically enough for one writer: the stack runs one `up` at a time. */
export function writePidRecord(runDir: string, record: PidRecord): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(pidFilePath(runDir, record.service), `${JSON.stringify(record, null, 2)}\n`);
}

/** Reads a service's record; a missing or unreadable file is `undefined` (nothing started). */
export function readPidRecord(runDir: string, service: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(pidFilePath(runDir, service), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return PidRecordSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Removes a service's record (after it stopped or when it is stale). */
export function removePidRecord(runDir: string, service: string): void {
  rmSync(pidFilePath(runDir, service), { force: true });
}

/**
 * True when the recorded process still runs and is the one we started: the pid exists and
 * its command line still contains the marker (a recycled pid belongs to something else).
 */
export function isRecordAlive(
  record: PidRecord,
  readCmdline: (pid: number) => string | undefined = readProcCmdline,
): boolean {
  const cmdline = readCmdline(record.pid);
  return cmdline !== undefined && cmdline.includes(record.commandMarker);
}

/** The command line of a pid, NUL separators turned into spaces; `undefined` if gone. */
export function readProcCmdline(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw.length === 0) return undefined;
    return raw.replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}
