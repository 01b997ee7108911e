import type { StageContext, StageResult } from '../framework/types.ts';

/** The benchmark's stage: no I/O, so everything measured around it is framework overhead. */
export async function trivialStage(ctx: StageContext<{ index: number }>): Promise<StageResult> {
  return { summary: { index: ctx.config.index } };
}
