import { generationHash, retrieverStampHash } from '../../lib/eval/cache-key.ts';
import { promptTemplateOf } from '../../lib/eval/direct-answer.ts';
import type { EvalDecoding } from '../../lib/eval/evaluate-item.ts';
import type { MethodPlan } from '../../lib/eval/methods.ts';
import { computeStamp, hashPromptTemplate, type Stamp } from '../../lib/eval/stamp.ts';

/** The retrieval settings a stamp records. */
export interface RetrievalSettings {
  url?: string | undefined;
  k1: number;
  b: number;
  topK: number;
}

/** How the retriever is named in stamps: the service URL, or BM25 with its parameters. */
export function describeRetriever(retrieval: RetrievalSettings): string {
  return retrieval.url ? `http:${retrieval.url}` : `bm25(k1=${retrieval.k1},b=${retrieval.b})`;
}

/** The comparability stamp of one method's results; naive generation records no retriever. */
export function methodStamp(options: {
  plan: MethodPlan;
  corpusSha: string;
  indexSha: string;
  retrieval: RetrievalSettings;
  modelSha: string;
  decoding: EvalDecoding;
}): Stamp {
  const usesRetrieval = options.plan.kind !== 'direct';
  return computeStamp({
    corpusSha: options.corpusSha,
    indexSha: options.indexSha,
    retriever: usesRetrieval ? describeRetriever(options.retrieval) : 'none',
    topK: usesRetrieval ? options.retrieval.topK : 0,
    modelSha: options.modelSha,
    promptTemplateHash: hashPromptTemplate(promptTemplateOf(options.plan.kind, options.plan.mode)),
    decoding: { ...options.decoding, kind: options.plan.kind, mode: options.plan.mode },
  });
}

/** The two cache-key halves of a stamp. */
export function cacheParts(
  stamp: Stamp,
  plan: MethodPlan,
): { generation: string; retrieverStamp: string } {
  return {
    generation: generationHash(stamp, `${plan.kind}:${plan.mode}`),
    retrieverStamp: retrieverStampHash(stamp),
  };
}
