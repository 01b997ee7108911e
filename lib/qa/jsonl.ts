import { QaItemSchema, type QaItem } from './types.ts';

/** One problem in a QA file, with its 1-based line number. */
export interface QaLineError {
  line: number;
  message: string;
}

/** What `rag-r1 data validate` prints: non-blank rows and every error found. */
export interface QaValidation {
  rows: number;
  errors: QaLineError[];
}

export interface ParsedQa extends QaValidation {
  items: QaItem[];
}

function describeIssues(value: unknown): string | undefined {
  const parsed = QaItemSchema.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .map((issue) => {
      const field = issue.path.join('.') || '(row)';
      const isMissing = issue.code === 'invalid_type' && issue.message.includes('undefined');
      if (isMissing) return `missing field ${field}`;
      if (issue.code === 'too_small') return `${field} is empty`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

function checkRow(value: unknown, seenIds: Map<string, number>, line: number): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['row is not a JSON object'];
  }
  const problems: string[] = [];
  const schemaProblem = describeIssues(value);
  if (schemaProblem) problems.push(schemaProblem);
  const row = value as Record<string, unknown>;
  const answers = row['golden_answers'];
  if (Array.isArray(answers)) {
    answers.forEach((answer, index) => {
      if (typeof answer === 'string' && answer.trim() === '') {
        problems.push(`golden_answers[${index}] is empty`);
      }
    });
  }
  if (typeof row['id'] === 'string') {
    const first = seenIds.get(row['id']);
    if (first !== undefined)
      problems.push(`duplicate id ${JSON.stringify(row['id'])} (line ${first})`);
    else seenIds.set(row['id'], line);
  }
  return problems;
}

/**
 * Parses FlashRAG QA jsonl, collecting every problem with its line number instead of stopping
 * at the first. Blank lines are skipped; rows with errors are left out of `items`.
 */
export function parseQaJsonl(text: string): ParsedQa {
  const items: QaItem[] = [];
  const errors: QaLineError[] = [];
  const seenIds = new Map<string, number>();
  let rows = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    rows += 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      errors.push({ line, message: `bad JSON: ${(error as Error).message}` });
      return;
    }
    const problems = checkRow(value, seenIds, line);
    if (problems.length > 0) {
      errors.push(...problems.map((message) => ({ line, message })));
      return;
    }
    items.push(QaItemSchema.parse(value));
  });
  return { rows, errors, items };
}

/** Serializes QA items as FlashRAG jsonl (one object per line, trailing newline). */
export function toQaJsonl(items: readonly QaItem[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n') + (items.length > 0 ? '\n' : '');
}
