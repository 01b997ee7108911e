import type { TrajectoryTurn, TrajectoryView } from '../types.ts';

/**
 * Reading per-question evaluation outputs for the trajectory diff. The evaluate stage writes
 * one JSON object per question (jsonl); field names are read tolerantly (FlashRAG's
 * `golden_answers`, our `goldAnswers`; a nested `trajectory` or a flat record) so the viewer
 * keeps working while that format settles.
 */
export type QuestionRecord = {
  questionId: string;
  question: string;
  goldAnswers: string[];
  view: Omit<TrajectoryView, 'runId'>;
};

type Json = Record<string, unknown>;

const TAGS: Array<{ tag: string; kind: TrajectoryTurn['kind'] }> = [
  { tag: 'think', kind: 'think' },
  { tag: 'search', kind: 'search' },
  { tag: 'information', kind: 'documents' },
  { tag: 'documents', kind: 'documents' },
  { tag: 'answer', kind: 'answer' },
];
const TAG_PATTERN = new RegExp(`<(${TAGS.map((entry) => entry.tag).join('|')})>([\\s\\S]*?)(?:</\\1>|$)`, 'g');

/** Splits a think/search/answer response into turns by its tags; untagged text is kept. */
export function splitTurns(text: string): TrajectoryTurn[] {
  const turns: TrajectoryTurn[] = [];
  let last = 0;
  for (const match of text.matchAll(TAG_PATTERN)) {
    const between = text.slice(last, match.index).trim();
    if (between) turns.push({ kind: 'text', text: between });
    const kind = TAGS.find((entry) => entry.tag === match[1])?.kind ?? 'text';
    turns.push({ kind, text: (match[2] ?? '').trim() });
    last = (match.index ?? 0) + match[0].length;
  }
  const rest = text.slice(last).trim();
  if (rest) turns.push({ kind: 'text', text: rest });
  return turns;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function responseOf(record: Json, trajectory: Json): string {
  const segments = trajectory['segments'];
  if (Array.isArray(segments)) {
    return segments.map((segment) => text((segment as Json)['text']) ?? '').join('');
  }
  return text(trajectory['response']) ?? text(record['response']) ?? text(record['output']) ?? '';
}

/** One question's record, or null when the line has no question id. */
export function parseQuestionRecord(value: unknown): QuestionRecord | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Json;
  const trajectory = (typeof record['trajectory'] === 'object' && record['trajectory'] !== null ? record['trajectory'] : record) as Json;
  const questionId = text(record['questionId']) ?? text(record['id']) ?? text(trajectory['questionId']);
  if (!questionId) return null;
  const prediction = text(record['prediction']) ?? text(record['pred']) ?? text(trajectory['answer']) ?? '';
  const response = responseOf(record, trajectory);
  return {
    questionId,
    question: text(record['question']) ?? text(trajectory['question']) ?? '',
    goldAnswers: strings(record['goldAnswers'] ?? record['golden_answers'] ?? record['answers']),
    view: {
      prediction,
      em: num(record['em']),
      f1: num(record['f1']),
      reward: num(record['reward']) ?? num(record['em']),
      turns: response ? splitTurns(response) : [],
    },
  };
}

/** Parses a jsonl (or JSON array) artifact into records by question id. */
export function parseQuestionRecords(body: string): Map<string, QuestionRecord> {
  const records = new Map<string, QuestionRecord>();
  const trimmed = body.trim();
  let values: unknown[] = [];
  if (trimmed.startsWith('[')) {
    try {
      values = JSON.parse(trimmed) as unknown[];
    } catch {
      values = [];
    }
  } else {
    for (const line of trimmed.split(/\r?\n/)) {
      if (!line.trim()) continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        continue;
      }
    }
  }
  for (const value of values) {
    const record = parseQuestionRecord(value);
    if (record) records.set(record.questionId, record);
  }
  return records;
}
