import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

/**
 * The type and message of the first ApplicationFailure in the cause chain (past ActivityFailure
 * and ChildWorkflowFailure wrappers): the LabErrorCode the activity classified.
 */
export function describeFailure(error: unknown): { type: string; message: string } {
  let current: unknown = error;
  while (
    current instanceof TemporalFailure &&
    !(current instanceof ApplicationFailure) &&
    current.cause
  ) {
    current = current.cause;
  }
  if (current instanceof ApplicationFailure)
    return { type: current.type ?? 'Error', message: current.message };
  if (current instanceof Error) return { type: current.name, message: current.message };
  return { type: 'Error', message: String(current) };
}

/** A non-retryable ApplicationFailure carrying the root cause: what a failed workflow throws. */
export function toWorkflowFailure(error: unknown, context?: string): ApplicationFailure {
  const { type, message } = describeFailure(error);
  return ApplicationFailure.create({
    type,
    message: context ? `${context}: ${message}` : message,
    nonRetryable: true,
    cause: error instanceof Error ? error : undefined,
  });
}
