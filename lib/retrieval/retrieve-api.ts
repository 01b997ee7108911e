import { z } from 'zod';

/**
 * Search-R1's `/retrieve` wire format (spec section 8), shared by the service and its client.
 * `topk` missing or 0 means the server default; clients always send `return_scores: true`.
 */
export const RetrieveRequestSchema = z.object({
  queries: z.array(z.string()),
  topk: z.number().int().min(0).optional(),
  return_scores: z.boolean().optional().default(false),
});
export type RetrieveRequest = z.input<typeof RetrieveRequestSchema>;

/** A corpus row as servers return it: FlashRAG `{id, contents}`, Search-R1 BM25 adds title/text. */
export const RetrievedDocumentSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    contents: z.string(),
    title: z.string().optional(),
    text: z.string().optional(),
  })
  .passthrough();
export type RetrievedDocument = z.infer<typeof RetrievedDocumentSchema>;

export const ScoredDocumentSchema = z.object({
  document: RetrievedDocumentSchema,
  score: z.number(),
});

export const RetrieveResponseSchema = z.object({
  result: z.array(z.union([z.array(ScoredDocumentSchema), z.array(RetrievedDocumentSchema)])),
});
export type RetrieveResponse = z.infer<typeof RetrieveResponseSchema>;
