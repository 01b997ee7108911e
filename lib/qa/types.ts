import { z } from 'zod';

/** One QA row in FlashRAG jsonl. */
export const QaItemSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1),
  golden_answers: z.array(z.string()).min(1),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type QaItem = z.infer<typeof QaItemSchema>;

/** The seven evaluation sets of the paper, by their FlashRAG names. */
export const DATASET_NAMES = [
  'nq',
  'triviaqa',
  'popqa',
  'hotpotqa',
  '2wikimultihopqa',
  'musique',
  'bamboogle',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
