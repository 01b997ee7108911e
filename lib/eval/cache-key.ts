import { hashJson } from '../hash.ts';

/** What identifies one cached answer: re-evaluating the same tuple gives the same output. */
export interface EvalCacheKeyInput {
  /** sha256 of the checkpoint archive (or the endpoint's model identity). */
  checkpoint: string;
  dataset: string;
  questionId: string;
  /** The question text too: an edited question under an old id is a new question. */
  question: string;
  /** Hash of the method's prompt template, search mode and decoding settings. */
  generation: string;
  /** Corpus, index, retriever and top-k (the retrieval half of the stamp). */
  retriever: string;
}

/** The EvalCacheEntry key of one (checkpoint, question, decoding, retriever) tuple. */
export function evalCacheKey(input: EvalCacheKeyInput): string {
  return hashJson({ v: 1, ...input });
}

/** The retrieval half of a stamp, as used in cache keys. */
export function retrieverStampHash(stamp: {
  corpus: string;
  index: string;
  retriever: string;
  topK: number;
}): string {
  return hashJson({
    corpus: stamp.corpus,
    index: stamp.index,
    retriever: stamp.retriever,
    topK: stamp.topK,
  });
}

/**
 * The generation half: model family, prompt template, mode and decoding (what the stamp's
 * fields hold). The family is in it because it also names how the checkpoint is prompted:
 * without it, answers given before the ONNX backend put BOS first were reused after.
 */
export function generationHash(
  stamp: { model: string; promptTemplate: string; decoding: string },
  mode: string,
): string {
  return hashJson({
    model: stamp.model,
    promptTemplate: stamp.promptTemplate,
    decoding: stamp.decoding,
    mode,
  });
}
