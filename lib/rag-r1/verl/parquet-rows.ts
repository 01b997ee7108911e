import { z } from 'zod';
import { ConfigError } from '../../errors.ts';
import { buildPrompt, type AgentMode } from '../../agent/prompts.ts';
import type { RlQuestion } from '../records.ts';

/**
 * The veRL RL data row of rag-r1-spec.md section 4 (the shape RAG-R1's
 * scripts/data_process/hotpotqa_search*.py write and veRL's RLHFDataset reads). We write
 * these rows as jsonl; the launcher turns them into parquet with pyarrow on the cluster,
 * where veRL already depends on it (see README.md for why not an npm parquet writer).
 */

/**
 * The data sources RAG-R1's reward manager accepts: `_select_rm_score_fn` in
 * inclusionAI/AWorld-RL RAG-R1/verl/trainer/main_ppo.py @ baf99ea79ada raises
 * NotImplementedError for any other value, so a row outside this list would crash training.
 */
export const VERL_DATA_SOURCES = [
  'nq',
  'triviaqa',
  'popqa',
  'hotpotqa',
  '2wikimultihopqa',
  'musique',
  'bamboogle',
  'hotpotqa_train_filter',
  'hotpotqa_train_filter_mq',
] as const;
export type VerlDataSource = (typeof VERL_DATA_SOURCES)[number];

/** Search-R1 and RAG-R1 name their splits train/test (train.parquet, test.parquet). */
export const VERL_SPLITS = ['train', 'test'] as const;
export type VerlSplit = (typeof VERL_SPLITS)[number];

export const VerlRowSchema = z
  .object({
    data_source: z.enum(VERL_DATA_SOURCES),
    prompt: z.tuple([z.object({ role: z.literal('user'), content: z.string().min(1) }).strict()]),
    ability: z.literal('fact-reasoning'),
    reward_model: z
      .object({
        style: z.literal('rule'),
        ground_truth: z.object({ target: z.array(z.string()).min(1) }).strict(),
      })
      .strict(),
    extra_info: z
      .object({ split: z.enum(VERL_SPLITS), index: z.number().int().nonnegative() })
      .strict(),
  })
  .strict();
export type VerlRow = z.infer<typeof VerlRowSchema>;

/** RAG-R1's own data_source names for its filtered HotpotQA RL sets (spec section 4). */
export function defaultDataSource(mode: AgentMode): VerlDataSource {
  return mode === 'mq' ? 'hotpotqa_train_filter_mq' : 'hotpotqa_train_filter';
}

export interface ToVerlRowsOptions {
  mode: AgentMode;
  split: VerlSplit;
  /** Defaults to RAG-R1's name for the mode; must be one the reward manager accepts. */
  dataSource?: string;
}

/**
 * One veRL row per RL question, indexed in order. The prompt is our template for the mode
 * with RL data prep's question normalization (strip, append '?', spec section 2), so PPO sees
 * the same instructions the SFT policy was trained on. The gold list stays a list: the EM
 * scorer accepts a string or a list (spec section 5), and a list keeps every alias.
 */
export function toVerlRows(questions: RlQuestion[], options: ToVerlRowsOptions): VerlRow[] {
  const dataSource = options.dataSource ?? defaultDataSource(options.mode);
  if (!(VERL_DATA_SOURCES as readonly string[]).includes(dataSource)) {
    throw new ConfigError(
      `dataSource: "${dataSource}" is not accepted by RAG-R1's reward manager (known: ${VERL_DATA_SOURCES.join(', ')})`,
    );
  }
  return questions.map((question, index) =>
    VerlRowSchema.parse({
      data_source: dataSource,
      prompt: [
        {
          role: 'user',
          content: buildPrompt({
            question: question.question,
            mode: options.mode,
            normalizeQuestion: true,
          }),
        },
      ],
      ability: 'fact-reasoning',
      reward_model: { style: 'rule', ground_truth: { target: question.golden_answers } },
      extra_info: { split: options.split, index },
    }),
  );
}

/** Rows as jsonl text, one object per line, keys in the order the spec lists them. */
export function verlRowsToJsonl(rows: VerlRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}
