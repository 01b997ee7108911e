import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../../agent/prompts.ts';
import type { RlQuestion } from '../records.ts';
import { toVerlRows, verlRowsToJsonl } from './parquet-rows.ts';

const QUESTIONS: RlQuestion[] = [
  {
    id: 'hq-1',
    question: '  Who founded Acme ',
    golden_answers: ['Ada Lovelace', 'Ada'],
    dataset: 'hotpotqa',
  },
  {
    id: 'hq-2',
    question: 'Where is Canberra?',
    golden_answers: ['Australia'],
    dataset: 'hotpotqa',
  },
];

describe('toVerlRows', () => {
  it('builds the exact spec section 4 row shape', () => {
    const rows = toVerlRows(QUESTIONS, { mode: 'mq', split: 'train' });
    expect(rows[0]).toStrictEqual({
      data_source: 'hotpotqa_train_filter_mq',
      prompt: [
        { role: 'user', content: buildPrompt({ question: 'Who founded Acme?', mode: 'mq' }) },
      ],
      ability: 'fact-reasoning',
      reward_model: { style: 'rule', ground_truth: { target: ['Ada Lovelace', 'Ada'] } },
      extra_info: { split: 'train', index: 0 },
    });
    expect(rows[1]?.extra_info).toStrictEqual({ split: 'train', index: 1 });
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'data_source',
      'prompt',
      'ability',
      'reward_model',
      'extra_info',
    ]);
  });

  it('uses the sq template and data source in sq mode, and normalizes the question', () => {
    const [row] = toVerlRows(QUESTIONS, { mode: 'sq', split: 'test' });
    expect(row?.data_source).toBe('hotpotqa_train_filter');
    expect(row?.prompt[0].content).not.toContain('query_1,query_2');
    expect(row?.prompt[0].content.endsWith('Question: Who founded Acme?\n')).toBe(true);
    expect(row?.extra_info.split).toBe('test');
  });

  it('refuses a data source the reward manager would reject', () => {
    expect(() =>
      toVerlRows(QUESTIONS, { mode: 'mq', split: 'train', dataSource: 'tiny-world' }),
    ).toThrow(/not accepted by RAG-R1's reward manager/);
    const rows = toVerlRows(QUESTIONS, { mode: 'mq', split: 'train', dataSource: 'musique' });
    expect(rows[0]?.data_source).toBe('musique');
  });

  it('writes one JSON object per line', () => {
    const text = verlRowsToJsonl(toVerlRows(QUESTIONS, { mode: 'mq', split: 'train' }));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ extra_info: { index: 1 } });
    expect(verlRowsToJsonl([])).toBe('');
  });
});
