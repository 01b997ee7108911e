import { describe, expect, it } from 'vitest';
import { UpstreamHttpError } from '../errors.ts';
import type { GenerateRequest, LlmBackend } from '../llm/backend.ts';
import { ScriptedBackend } from '../llm/scripted-backend.ts';
import type { Retriever, ScoredPassage } from '../retrieval/types.ts';
import { RolloutConfigSchema, type RolloutConfigInput } from './config.ts';
import { INVALID_ACTION_CORRECTION } from './observation.ts';
import { runRollout } from './rollout.ts';
import { responseText, segmentSpans } from './trajectory.ts';

class RecordingRetriever implements Retriever {
  readonly id = 'recording';
  readonly calls: string[][] = [];
  async retrieve(queries: string[], topK: number): Promise<ScoredPassage[][]> {
    this.calls.push(queries);
    return queries.map((query) =>
      Array.from({ length: topK }, (_, index) => ({
        document: { id: `${query}#${index}`, contents: `Title ${query}   text ${index}` },
        score: 1 / (index + 1),
      })),
    );
  }
}

function scripted(turns: string[]): ScriptedBackend & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  const backend = new ScriptedBackend({
    respond: (request, index) => {
      requests.push(request);
      return turns[Math.min(index, turns.length - 1)] as string;
    },
  });
  return Object.assign(backend, { requests });
}

const config = (input: RolloutConfigInput = {}) => RolloutConfigSchema.parse(input);
const QUESTION = { id: 'q1', question: 'What is the capital of Australia?' };

describe('runRollout', () => {
  it('runs search then answer in sq mode and records every span', async () => {
    const backend = scripted([
      '<think>need facts</think>\n<search> capital of Australia </search> ignored tail',
      '<think>got it</think>\n<answer> Canberra </answer>',
    ]);
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend,
      retriever,
      config: config(),
    });
    expect(trajectory.finishReason).toBe('answer');
    expect(trajectory.answer).toBe('Canberra');
    expect(trajectory.retrievalCount).toBe(1);
    expect(retriever.calls).toEqual([['capital of Australia']]);
    expect(trajectory.turns.map((turn) => turn.action)).toEqual(['search', 'answer']);
    expect(trajectory.turns[0]?.docIds).toEqual([
      ['capital of Australia#0', 'capital of Australia#1', 'capital of Australia#2'],
    ]);
    expect(trajectory.segments.map((segment) => segment.kind)).toEqual(['model', 'env', 'model']);
    expect(trajectory.segments[1]?.text).toContain('Doc 3: Title capital of Australia   text 2');
    // The second request continued exactly the text recorded so far.
    const last = backend.requests[1] as GenerateRequest;
    expect(last.assistantPrefix + (trajectory.segments[2]?.text ?? '')).toBe(
      responseText(trajectory),
    );
    expect(last.sampling.stop).toEqual(['</search>', '</answer>']);
  });

  it('reconstructs the response from spans exactly', async () => {
    const backend = scripted(['<search> a, b, c </search>', 'junk', '<answer> x </answer>']);
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'mq',
      backend,
      retriever: new RecordingRetriever(),
      config: config(),
    });
    const text = responseText(trajectory);
    const rebuilt = segmentSpans(trajectory).map((span) => text.slice(span.start, span.end));
    expect(rebuilt).toEqual(trajectory.segments.map((segment) => segment.text));
    expect(rebuilt.join('')).toBe(text);
    const lastRequest = backend.requests.at(-1) as GenerateRequest;
    expect(lastRequest.assistantPrefix + '<answer> x </answer>').toBe(text);
  });

  it('sends all mq queries of a call in one retrieval', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'mq',
      backend: scripted(['<search> a, b, c, d, a </search>', '<answer> x </answer>']),
      retriever,
      config: config(),
    });
    expect(retriever.calls).toEqual([['a', 'b', 'c', 'd', 'a']]);
    expect(trajectory.turns[0]).toMatchObject({ overCap: 2, duplicates: 1 });
    expect(trajectory.segments[1]?.text).toContain('"query": [\n    "a",\n    "b"');
  });

  it('applies the cap and dedup flags when set', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'mq',
      backend: scripted(['<search> a, b, a, c, d </search>', '<answer> x </answer>']),
      retriever,
      config: config({ maxQueriesPerCall: 3, dedupQueries: true }),
    });
    expect(retriever.calls).toEqual([['a', 'b', 'c']]);
    expect(trajectory.turns[0]?.droppedQueries).toEqual(['a', 'd']);
  });

  it('appends the correction after an invalid action and counts it as a turn', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: scripted([
        '<think>hmm</think> I will search <search> unclosed',
        '<answer> x </answer>',
      ]),
      retriever,
      config: config(),
    });
    expect(trajectory.segments[1]).toEqual({ kind: 'env', text: INVALID_ACTION_CORRECTION });
    expect(trajectory.turns[0]).toMatchObject({
      action: 'invalid',
      invalidReason: 'no-action',
      think: 'hmm',
    });
    expect(retriever.calls).toEqual([]);
    expect(trajectory.finishReason).toBe('answer');
  });

  it('treats an empty search as invalid: correction, no retrieval', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'mq',
      backend: scripted(['<search> , , </search>', '<answer> x </answer>']),
      retriever,
      config: config(),
    });
    expect(trajectory.turns[0]).toMatchObject({ action: 'invalid', invalidReason: 'empty-search' });
    expect(trajectory.segments[1]).toEqual({ kind: 'env', text: INVALID_ACTION_CORRECTION });
    expect(retriever.calls).toEqual([]);
  });

  it('has no answer when the episode ends after a correction (whose text names answer tags)', async () => {
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: scripted(['Canberra, I think.', 'Still no tags.']),
      retriever: new RecordingRetriever(),
      config: config({ maxTurns: 1 }),
    });
    expect(responseText(trajectory)).toContain('<answer> and </answer>');
    expect(trajectory.finishReason).toBe('invalid');
    expect(trajectory.answer).toBeNull();
  });

  it('stops after maxTurns searches and does not execute the final search', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: scripted(['<search> again </search>']),
      retriever,
      config: config({ maxTurns: 3 }),
    });
    expect(trajectory.finishReason).toBe('max_turns');
    expect(trajectory.retrievalCount).toBe(3);
    expect(trajectory.turns).toHaveLength(4);
    expect(trajectory.turns[3]?.searchSkipped).toBe(true);
    expect(trajectory.answer).toBeNull();
  });

  it('executes the final search when the flag says so', async () => {
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: scripted(['<search> again </search>']),
      retriever,
      config: config({ maxTurns: 2, executeSearchOnFinalTurn: true }),
    });
    expect(trajectory.retrievalCount).toBe(3);
    expect(trajectory.finishReason).toBe('max_turns');
  });

  it('finishes as invalid when the final generation has no action', async () => {
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: scripted(['no tags at all']),
      retriever: new RecordingRetriever(),
      config: config({ maxTurns: 1 }),
    });
    expect(trajectory.finishReason).toBe('invalid');
    expect(trajectory.turns).toHaveLength(2);
  });

  it('stops with max_tokens when the context budget is used up', async () => {
    const backend = scripted(['<search> q </search>']);
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend,
      retriever: new RecordingRetriever(),
      config: config({ maxContextTokens: 130 }),
    });
    expect(trajectory.finishReason).toBe('max_tokens');
    expect(backend.requests.every((request) => request.sampling.maxTokens <= 130)).toBe(true);
  });

  it('drops text after the action even when the backend ignores stop strings', async () => {
    const backend: LlmBackend = {
      id: 'no-stop',
      generate: async () => ({
        text: '<answer> A </answer> and then more <answer> B </answer>',
        finishReason: 'eos',
        usage: { promptTokens: 3, completionTokens: 4 },
      }),
    };
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend,
      retriever: new RecordingRetriever(),
      config: config(),
    });
    expect(responseText(trajectory)).toBe('<answer> A </answer>');
    expect(trajectory.answer).toBe('A');
    expect(trajectory.usage).toEqual({ promptTokens: 3, completionTokens: 4 });
  });

  it('records a transient backend failure as an error trajectory', async () => {
    const backend: LlmBackend = {
      id: 'down',
      generate: async () => {
        throw new UpstreamHttpError('503 from upstream', 503);
      },
    };
    const trajectory = await runRollout({
      question: QUESTION,
      mode: 'sq',
      backend,
      retriever: new RecordingRetriever(),
      config: config(),
    });
    expect(trajectory.finishReason).toBe('error');
    expect(trajectory.error).toContain('503');
  });

  it('rethrows permanent failures and cancellation', async () => {
    const auth: LlmBackend = {
      id: 'auth',
      generate: async () => {
        throw new UpstreamHttpError('401 unauthorized', 401);
      },
    };
    await expect(
      runRollout({
        question: QUESTION,
        mode: 'sq',
        backend: auth,
        retriever: new RecordingRetriever(),
        config: config(),
      }),
    ).rejects.toThrow('401');
    const controller = new AbortController();
    const slow = new ScriptedBackend({ respond: () => '<answer> x </answer>', latencyMs: 10_000 });
    const pending = runRollout({
      question: QUESTION,
      mode: 'sq',
      backend: slow,
      retriever: new RecordingRetriever(),
      config: config(),
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });
});
