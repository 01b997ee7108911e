import { describe, expect, it } from 'vitest';
import { INVALID_ACTION_CORRECTION } from '../agent/observation.ts';
import type { GenerateRequest } from '../llm/backend.ts';
import { parseTeacherContext } from './context.ts';

const request = (assistantPrefix: string): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Answer it.\nQuestion: Who?\n' }],
  assistantPrefix,
  sampling: { temperature: 0, topP: 1, maxTokens: 10, stop: [] },
});

describe('parseTeacherContext', () => {
  it('reads each search with its documents', () => {
    const context = parseTeacherContext(
      request('<search> a, b </search>\n<information>\nDoc 1: "T"\ntext\n</information>\n'),
      'mq',
    );
    expect(context.searches).toBe(1);
    expect(context.rounds).toEqual([
      { queries: ['a', 'b'], docsPerQuery: [[{ title: 'T', text: 'text' }]] },
    ]);
  });

  it('does not count the tags named by the invalid-action correction as a search', () => {
    expect(INVALID_ACTION_CORRECTION).toContain('<search> and </search>');
    const context = parseTeacherContext(request(`no tags${INVALID_ACTION_CORRECTION}`), 'sq');
    expect(context.searches).toBe(0);
    expect(context.rounds).toEqual([]);
  });
});
