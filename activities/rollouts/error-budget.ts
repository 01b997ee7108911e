import { DataError } from '../../lib/errors.ts';
import type { StageContext } from '../framework/types.ts';

/** Beyond this share of failed rollouts the teacher endpoint is broken, not unlucky. */
export const MAX_ERROR_SHARE = 0.1;

/**
 * Rollouts that failed after the backend's own retries: above MAX_ERROR_SHARE of `total` the
 * stage fails with a DataError naming the endpoint; below it they are skipped, counted in the
 * summary by the caller, and logged here, so a flaky teacher never shrinks a dataset silently.
 */
export function enforceErrorBudget(
  ctx: StageContext<unknown>,
  failures: { errors: number; total: number; firstError: string | undefined; what: string },
): void {
  const { errors, total, firstError, what } = failures;
  if (errors > MAX_ERROR_SHARE * Math.max(1, total)) {
    throw new DataError(
      `${ctx.stage}: ${errors} of ${total} ${what} failed (first: ${firstError}); check the teacher endpoint`,
    );
  }
  if (errors > 0) ctx.log.warn(`${what} failed and are skipped`, { errors, total, firstError });
}
