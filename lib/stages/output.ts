import { z } from 'zod';

/** A content-addressed object in S3 (`artifacts/<sha256>`), as the artifact store returns it. */
export const ArtifactRefSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
    kind: z.string().min(1),
    mediaType: z.string().min(1),
    uri: z.string().min(1),
  })
  .strict();
export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;

/** What a stage hands downstream: named artifacts plus a small JSON summary (metrics, counts). */
export interface StageOutput {
  artifacts: Record<string, ArtifactRef>;
  summary: Record<string, unknown>;
  /** For a sharded stage: one output per shard, in shard order. */
  shards?: StageOutput[];
}

export const StageOutputSchema: z.ZodType<StageOutput> = z.lazy(() =>
  z
    .object({
      artifacts: z.record(z.string(), ArtifactRefSchema),
      summary: z.record(z.string(), z.unknown()),
      shards: z.array(StageOutputSchema).optional(),
    })
    .strict(),
);

/**
 * The content identity of an output: artifact hashes only. Summaries are derived from the
 * artifacts and may hold timings, so they stay out of downstream cache keys.
 */
export function outputDigest(output: StageOutput): unknown {
  const artifacts = Object.fromEntries(
    Object.entries(output.artifacts).map(([name, ref]) => [name, ref.sha256]),
  );
  return output.shards ? { artifacts, shards: output.shards.map(outputDigest) } : { artifacts };
}
