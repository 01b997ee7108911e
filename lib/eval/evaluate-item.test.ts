import { describe, expect, it } from 'vitest';
import { ScriptedBackend } from '../llm/scripted-backend.ts';
import type { Retriever, ScoredPassage } from '../retrieval/types.ts';
import { EvalDecodingSchema, evaluateItem } from './evaluate-item.ts';

const retriever: Retriever = {
  id: 'fixed',
  async retrieve(queries: string[], topK: number): Promise<ScoredPassage[][]> {
    return queries.map(() =>
      Array.from({ length: topK }, (_, index) => ({
        document: { id: String(index), contents: `Title   a passage of several words ${index}` },
        score: 1,
      })),
    );
  },
};

async function searchForever(maxContextTokens?: number) {
  return evaluateItem({
    plan: { method: 'ppo', checkpoint: 'ppo', kind: 'agent', mode: 'sq' },
    dataset: 'nq',
    item: { id: 'q1', question: 'Who wrote it?', golden_answers: ['x'], metadata: {} },
    backend: new ScriptedBackend({ respond: () => '<think>more</think><search> who </search>' }),
    retriever,
    topK: 3,
    decoding: EvalDecodingSchema.parse({
      maxTurns: 4,
      ...(maxContextTokens === undefined ? {} : { maxContextTokens }),
    }),
    normalize: 'squad',
  });
}

describe('evaluateItem', () => {
  it('caps an agent rollout at the decoding context limit the recipe sets', async () => {
    expect((await searchForever()).finishReason).toBe('max_turns');
    expect((await searchForever(120)).finishReason).toBe('max_tokens');
  });
});
