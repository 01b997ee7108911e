import type { TeacherRecord } from '../../lib/rag-r1/records.ts';

/** What the teacher-sample stage reports: accuracy, retrieval histogram, tokens, failures. */
export interface TeacherStatistics {
  trajectories: number;
  correct: number;
  accuracy: number;
  errors: number;
  firstError?: string;
  retrievalHistogram: Record<string, number>;
  meanRetrievals: number;
  finishReasons: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
}

export function summarizeTeacherRecords(records: readonly TeacherRecord[]): TeacherStatistics {
  const retrievalHistogram: Record<string, number> = {};
  const finishReasons: Record<string, number> = {};
  let correct = 0;
  let retrievals = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let firstError: string | undefined;
  for (const { trajectory, correct: isCorrect } of records) {
    if (isCorrect) correct += 1;
    retrievals += trajectory.retrievalCount;
    const bucket = String(trajectory.retrievalCount);
    retrievalHistogram[bucket] = (retrievalHistogram[bucket] ?? 0) + 1;
    finishReasons[trajectory.finishReason] = (finishReasons[trajectory.finishReason] ?? 0) + 1;
    promptTokens += trajectory.usage.promptTokens;
    completionTokens += trajectory.usage.completionTokens;
    if (trajectory.finishReason === 'error') firstError ??= trajectory.error;
  }
  const n = Math.max(1, records.length);
  return {
    trajectories: records.length,
    correct,
    accuracy: correct / n,
    errors: finishReasons['error'] ?? 0,
    ...(firstError ? { firstError } : {}),
    retrievalHistogram,
    meanRetrievals: retrievals / n,
    finishReasons,
    promptTokens,
    completionTokens,
  };
}
