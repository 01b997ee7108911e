import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import { loadRunShow, renderRunShow } from './run-show.ts';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Polls until the run ends, redrawing `show` on a terminal. */
export async function waitForRun(db: PrismaClient, runId: string, json: boolean): Promise<string> {
  const isLive = process.stdout.isTTY && !json;
  for (;;) {
    const show = await loadRunShow(db, runId);
    if (isLive) process.stdout.write(`\u001b[2J\u001b[H${renderRunShow(show)}\n`);
    if (TERMINAL.has(show.status)) {
      if (!isLive) console.log(json ? JSON.stringify(show, null, 2) : renderRunShow(show));
      return show.status;
    }
    await sleep(1_000);
  }
}
