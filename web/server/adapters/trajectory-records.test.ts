import { describe, expect, it } from 'vitest';
import { EvalOutputSchema, parseEvalOutputs } from '../../../lib/eval/outputs.ts';
import { splitTurns, viewOf } from './trajectory-records.ts';

const RESPONSE =
  '<think>need the city</think>\n<search>capital of Norland</search>\n<information>\nDoc 1: Vell   The capital.\n</information>\n<answer>Vell</answer>';

describe('trajectory records', () => {
  it('splits a response into think, search, documents and answer turns', () => {
    expect(splitTurns(RESPONSE).map((turn) => turn.kind)).toEqual([
      'think',
      'search',
      'documents',
      'answer',
    ]);
    expect(splitTurns(RESPONSE)[2]?.text).toBe('Doc 1: Vell   The capital.');
    expect(splitTurns('no tags <search>open')).toEqual([
      { kind: 'text', text: 'no tags' },
      { kind: 'search', text: 'open' },
    ]);
  });

  it('shows an EvalOutput line with its scores and finish reason', () => {
    const output = EvalOutputSchema.parse({
      method: 'ppo',
      dataset: 'nq',
      id: 'q1',
      question: 'capital?',
      goldAnswers: ['Vell'],
      prediction: 'Vell',
      em: 1,
      f1: 1,
      seconds: 0.25,
      retrievals: 1,
      finishReason: 'answer',
      turns: [{ action: 'search' }],
      response: RESPONSE,
    });
    const view = viewOf('r1', output);
    expect(view).toMatchObject({
      runId: 'r1',
      prediction: 'Vell',
      em: 1,
      seconds: 0.25,
      retrievals: 1,
      finishReason: 'answer',
      cached: false,
    });
    expect(view.turns).toHaveLength(4);
  });
});

describe('outputs artifact', () => {
  it('names the artifact, line and field of a line that is not an EvalOutput', () => {
    const good = JSON.stringify({
      method: 'ppo',
      dataset: 'nq',
      id: 'q1',
      question: 'q',
      goldAnswers: ['a'],
      prediction: 'a',
      em: 1,
      f1: 1,
      seconds: 0,
      retrievals: 0,
      finishReason: 'answer',
      turns: [],
      response: '<answer>a</answer>',
    });
    expect(parseEvalOutputs('abc', `${good}\n\n`)).toHaveLength(1);
    const legacy = JSON.stringify({ id: 'q2', golden_answers: ['a'], pred: 'a' });
    expect(() => parseEvalOutputs('abc', `${good}\n${legacy}\n`)).toThrow(/artifact abc line 2: /);
    expect(() => parseEvalOutputs('abc', 'not json')).toThrow(/artifact abc line 1: not JSON/);
  });
});
