import { INVALID_ACTION_CORRECTION } from '../agent/observation.ts';
import type { GenerateRequest } from '../llm/backend.ts';

/** One retrieved document as the teacher sees it: title line and text. */
export interface SeenDoc {
  title: string;
  text: string;
}

/** One search call and the documents that came back for it (per query). */
export interface SeenRound {
  queries: string[];
  docsPerQuery: SeenDoc[][];
}

export interface TeacherContext {
  question: string;
  mode: 'sq' | 'mq';
  rounds: SeenRound[];
  /** Search calls written so far, executed or not. */
  searches: number;
}

/** The question is the last `Question:` line of the user prompt (spec section 2). */
export function extractQuestion(request: GenerateRequest): string {
  const user = [...request.messages].reverse().find((m) => m.role === 'user');
  const text = user?.content ?? '';
  const at = text.lastIndexOf('Question:');
  return (at < 0 ? text : text.slice(at + 'Question:'.length)).trim();
}

/** mq prompts say each search may hold "up to three queries" (spec section 2). */
export function detectMode(request: GenerateRequest): 'sq' | 'mq' {
  return request.messages.some((m) => /up to three queries/i.test(m.content)) ? 'mq' : 'sq';
}

/** Splits `Doc 1: ...\nDoc 2: ...` into documents; each is `"Title"\ntext` (FlashRAG). */
export function parseDocs(body: string): SeenDoc[] {
  return body
    .split(/(?:^|\n)Doc \d+: /)
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const newline = chunk.indexOf('\n');
      const rawTitle = newline < 0 ? '' : chunk.slice(0, newline);
      const text = newline < 0 ? chunk : chunk.slice(newline + 1);
      return { title: rawTitle.trim().replace(/^"|"$/g, ''), text: text.trim() };
    });
}

function parseBlock(body: string, queries: string[]): SeenRound {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { query?: unknown; documents?: unknown };
      const documents = Array.isArray(parsed.documents) ? parsed.documents : [];
      return {
        queries: Array.isArray(parsed.query) ? parsed.query.map(String) : queries,
        docsPerQuery: documents.map((d) => parseDocs(String(d))),
      };
    } catch {
      // A block cut by the observation token limit is no longer valid JSON; read what is there.
      return { queries, docsPerQuery: [parseDocs(trimmed.replace(/\\n/g, '\n'))] };
    }
  }
  return { queries, docsPerQuery: [parseDocs(trimmed)] };
}

/**
 * Reads the episode so far: each search call with the documents returned for it. The
 * invalid-action correction is dropped first: it names `<search> and </search>` itself.
 */
export function parseTeacherContext(
  request: GenerateRequest,
  modeOverride?: 'sq' | 'mq',
): TeacherContext {
  const prefix = request.assistantPrefix.replaceAll(INVALID_ACTION_CORRECTION, '');
  const rounds: SeenRound[] = [];
  const pattern = /<search>([\s\S]*?)<\/search>|<information>([\s\S]*?)<\/information>/g;
  let pending: string[] = [];
  let searches = 0;
  for (const match of prefix.matchAll(pattern)) {
    if (match[1] !== undefined) {
      searches += 1;
      pending = match[1]
        .split(',')
        .map((q) => q.trim())
        .filter((q) => q !== '');
    } else if (match[2] !== undefined) {
      rounds.push(parseBlock(match[2], pending));
      pending = [];
    }
  }
  return {
    question: extractQuestion(request),
    mode: modeOverride ?? detectMode(request),
    rounds,
    searches,
  };
}
