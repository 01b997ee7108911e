import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { LabError, NON_RETRYABLE_CODES, UpstreamHttpError } from '../../lib/errors.ts';

/** The `type` and message a failed attempt records on its StageRun row. */
export function describeError(error: unknown): { type: string; message: string } {
  if (error instanceof ApplicationFailure)
    return { type: error.type ?? 'Error', message: error.message };
  if (error instanceof LabError) return { type: error.code, message: error.message };
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return {
      type: 'DATA_INVALID',
      message: `${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: 'Error', message: String(error) };
}

/**
 * Turns a thrown error into what Temporal should see. LabErrors become ApplicationFailures
 * whose `type` is the LabErrorCode; bad config/data (and 4xx other than 408/429) never retry.
 * Anything else stays retryable.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof LabError) {
    const nonRetryable =
      error instanceof UpstreamHttpError
        ? !error.isRetryable
        : NON_RETRYABLE_CODES.includes(error.code);
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable,
      cause: error,
    });
  }
  if (error instanceof ZodError) {
    const { message } = describeError(error);
    return ApplicationFailure.create({ type: 'DATA_INVALID', message, nonRetryable: true });
  }
  return error;
}
