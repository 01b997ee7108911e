import { z } from 'zod';
import { hashJson, sha256Hex } from '../hash.ts';

/**
 * The comparability stamp of an evaluation: two results are comparable only when they were
 * scored against the same corpus, index, retriever and top-k, with the same base model
 * family, prompt template and decoding. `model` identifies the model family (architecture and
 * tokenizer), not the trained weights: comparing checkpoints is the point of `compare`.
 */
export const StampSchema = z
  .object({
    version: z.literal(1),
    corpus: z.string(),
    index: z.string(),
    retriever: z.string(),
    topK: z.number().int().nonnegative(),
    model: z.string(),
    promptTemplate: z.string(),
    decoding: z.string(),
    /** sha256 of the canonical JSON of every other field. */
    hash: z.string(),
  })
  .strict();
export type Stamp = z.infer<typeof StampSchema>;

export const STAMP_FIELDS = [
  'corpus',
  'index',
  'retriever',
  'topK',
  'model',
  'promptTemplate',
  'decoding',
] as const;
export type StampField = (typeof STAMP_FIELDS)[number];

export interface StampInput {
  corpusSha: string;
  indexSha: string;
  /** e.g. `bm25(k1=1.5,b=0.75)` or the service URL; naive generation uses `none`. */
  retriever: string;
  topK: number;
  modelSha: string;
  promptTemplateHash: string;
  /** Every setting that changes generated text: temperature, top-p, turns, token budgets. */
  decoding: unknown;
}

/** Builds a stamp; pure, so equal inputs give equal hashes on every machine. */
export function computeStamp(input: StampInput): Stamp {
  const fields = {
    version: 1 as const,
    corpus: input.corpusSha,
    index: input.indexSha,
    retriever: input.retriever,
    topK: input.topK,
    model: input.modelSha,
    promptTemplate: input.promptTemplateHash,
    decoding: hashJson(input.decoding),
  };
  return { ...fields, hash: hashJson(fields) };
}

/** Hash of a prompt template's text (any placeholder left in). */
export function hashPromptTemplate(template: string): string {
  return sha256Hex(template);
}

/** The stamp fields whose values differ; an unreadable stamp differs in every field. */
export function diffStamps(left: unknown, right: unknown): StampField[] {
  const a = StampSchema.safeParse(left);
  const b = StampSchema.safeParse(right);
  if (!a.success || !b.success) return [...STAMP_FIELDS];
  return STAMP_FIELDS.filter((field) => a.data[field] !== b.data[field]);
}
