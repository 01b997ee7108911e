import { existsSync } from 'node:fs';
import type { DemoFault } from '../../lib/recipes/files-demo.ts';
import { DataError } from '../../lib/errors.ts';

/** Throws the injected non-retryable failure when `index` is the configured record. */
export function checkFault(fault: DemoFault | null, stage: string, index: number): void {
  if (!fault || fault.atRecord !== index) return;
  if (fault.whileFileExists !== undefined && !existsSync(fault.whileFileExists)) return;
  throw new DataError(`injected fault: ${stage} rejects record ${index} (faults.atRecord)`);
}
