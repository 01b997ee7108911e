/**
 * The TypeScript side of the environment conformance fixture (fixtures/environment-conformance.json,
 * written by fixtures/make-environment-conformance.ts). trainer/tests/test_environment.py checks
 * the Python trainer against the same file, so both sides show the policy the same text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LlmBackend } from '../llm/backend.ts';
import { exactMatch } from '../qa/score.ts';
import type { Retriever, ScoredPassage } from '../retrieval/types.ts';
import { loadTokenizer } from '../tokenizer/tokenizer.ts';
import { RolloutConfigSchema } from './config.ts';
import { ENVIRONMENT } from './environment.ts';
import {
  INFORMATION_CLOSE,
  INFORMATION_OPEN,
  INVALID_ACTION_CORRECTION,
  renderMqObservation,
  renderSqObservation,
} from './observation.ts';
import {
  finalAnswer,
  parseAction,
  splitQueries,
  STOP_SEQUENCES,
  truncateAtAction,
} from './parser.ts';
import type { AgentMode } from './prompts.ts';
import { TEMPLATE_EXAMPLE_ANSWER } from './prompts.ts';
import { runRollout } from './rollout.ts';
import { tokenCounterFromTokenizer } from './token-counter.ts';
import type { Segment } from './trajectory.ts';

interface Fixture {
  tokenizer: string;
  turns: {
    name: string;
    mode: AgentMode;
    text: string;
    expected: {
      truncated: string;
      kind: 'search' | 'answer' | 'invalid';
      content: string | null;
      queries: string[] | null;
      invalid_reason: 'no-action' | 'empty-search' | null;
      correction: string | null;
    };
  }[];
  observations: {
    name: string;
    mode: AgentMode;
    queries: string[];
    hits: ScoredPassage[][];
    max_tokens: number | null;
    expected: string;
  }[];
  answers: { name: string; segments: Segment[]; expected: string | null }[];
  rewards: { name: string; answer: string | null; golden: string[]; expected: number }[];
}

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'environment-conformance.json'), 'utf8'),
) as Fixture;
const counter = tokenCounterFromTokenizer(loadTokenizer(join(REPO_ROOT, FIXTURE.tokenizer)));

/** Returns each scripted turn verbatim, ignoring stop strings, so the rollout's own cut is tested. */
function verbatim(turns: string[]): LlmBackend {
  let call = 0;
  return {
    id: 'verbatim',
    generate: async () => {
      const text = turns[Math.min(call, turns.length - 1)] as string;
      call += 1;
      return { text, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } };
    },
  };
}

class RecordingRetriever implements Retriever {
  readonly id = 'recording';
  readonly calls: string[][] = [];
  async retrieve(queries: string[]): Promise<ScoredPassage[][]> {
    this.calls.push(queries);
    return queries.map(() => []);
  }
}

describe('environment.json', () => {
  it('is where the exported constants come from', () => {
    expect(INFORMATION_OPEN).toBe(ENVIRONMENT.information_open);
    expect(INFORMATION_CLOSE).toBe(ENVIRONMENT.information_close);
    expect(INVALID_ACTION_CORRECTION).toBe(ENVIRONMENT.invalid_action_correction);
    expect(STOP_SEQUENCES).toEqual(ENVIRONMENT.stop_sequences);
    expect(TEMPLATE_EXAMPLE_ANSWER).toBe(ENVIRONMENT.template_example_answer);
  });
});

describe('environment conformance: turns', () => {
  it.each(FIXTURE.turns.map((turn) => [turn.name, turn] as const))('%s', async (_name, turn) => {
    const { expected } = turn;
    expect(truncateAtAction(turn.text)).toBe(expected.truncated);
    const action = parseAction(turn.text);
    expect(action.kind).toBe(expected.kind);
    expect(action.kind === 'invalid' ? null : action.content).toBe(expected.content);
    expect(action.kind === 'invalid' ? action.reason : null).toBe(expected.invalid_reason);
    if (action.kind === 'search') {
      expect(splitQueries(action.content, { mode: turn.mode }).queries).toEqual(expected.queries);
    }

    // The same turn through the rollout: what it keeps, retrieves and appends.
    const retriever = new RecordingRetriever();
    const trajectory = await runRollout({
      question: { id: 'q', question: 'q' },
      mode: turn.mode,
      backend: verbatim([turn.text, '<answer> done </answer>']),
      retriever,
      config: RolloutConfigSchema.parse({ maxTurns: 1 }),
    });
    expect(trajectory.segments[0]).toEqual({ kind: 'model', text: expected.truncated });
    expect(retriever.calls).toEqual(expected.queries === null ? [] : [expected.queries]);
    if (expected.correction !== null) {
      expect(trajectory.segments[1]).toEqual({ kind: 'env', text: expected.correction });
    }
    expect(trajectory.answer).toBe(expected.kind === 'answer' ? expected.content : 'done');
  });
});

describe('environment conformance: observations', () => {
  it.each(FIXTURE.observations.map((item) => [item.name, item] as const))('%s', (_name, item) => {
    const rendered =
      item.mode === 'sq'
        ? renderSqObservation(item.hits[0] ?? [], counter, item.max_tokens)
        : renderMqObservation(item.queries, item.hits, counter, item.max_tokens);
    expect(rendered).toBe(item.expected);
  });
});

describe('environment conformance: final answers', () => {
  it.each(FIXTURE.answers.map((item) => [item.name, item] as const))('%s', (_name, item) => {
    expect(finalAnswer(item.segments)).toBe(item.expected);
  });
});

describe('environment conformance: EM reward', () => {
  it.each(FIXTURE.rewards.map((item) => [item.name, item] as const))('%s', (_name, item) => {
    const reward = item.answer === null ? 0 : exactMatch(item.answer, item.golden, 'squad');
    expect(reward).toBe(item.expected);
  });
});
