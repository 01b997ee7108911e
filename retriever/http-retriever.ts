import { UpstreamHttpError } from '../lib/errors.ts';
import {
  RetrieveResponseSchema,
  type RetrievedDocument,
  type RetrieveRequest,
} from '../lib/retrieval/retrieve-api.ts';
import type { Passage, Retriever, ScoredPassage } from '../lib/retrieval/types.ts';

export interface HttpRetrieverOptions {
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (network, 408, 429, 5xx); never after other 4xx. */
  retries?: number;
  /** First backoff; doubles per attempt. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

/** A doc from any Search-R1-style server; `contents` is rebuilt from title/text if absent. */
function toPassage(document: RetrievedDocument): Passage {
  const id = document.id === undefined ? '' : String(document.id);
  return { id, contents: document.contents };
}

function normalize(entry: unknown[]): ScoredPassage[] {
  return entry.map((item, rank) => {
    const scored = item as { document?: RetrievedDocument; score?: number };
    if (scored.document !== undefined)
      return { document: toPassage(scored.document), score: scored.score ?? 0 };
    // Without scores (return_scores false), keep the rank order visible as a descending score.
    return { document: toPassage(item as RetrievedDocument), score: -rank };
  });
}

/**
 * A Retriever backed by a remote `POST /retrieve` (this project's service, Search-R1's or
 * RAG-R1's), so rollouts can switch between in-process and remote retrieval freely.
 */
export function createHttpRetriever(url: string, options: HttpRetrieverOptions = {}): Retriever {
  const endpoint = new URL(url.endsWith('/retrieve') ? url : `${url.replace(/\/$/, '')}/retrieve`);
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 200;

  async function attempt(body: RetrieveRequest, signal?: AbortSignal): Promise<ScoredPassage[][]> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new UpstreamHttpError(`${endpoint.href}: ${(error as Error).message}`, 0);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new UpstreamHttpError(
        `${endpoint.href}: HTTP ${response.status}: ${text.slice(0, 500)}`,
        response.status,
      );
    }
    const parsed = RetrieveResponseSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new UpstreamHttpError(
        `${endpoint.href}: response is not Search-R1 shaped: ${parsed.error.message}`,
        502,
      );
    }
    return parsed.data.result.map((entry) => normalize(entry));
  }

  return {
    id: `http:${endpoint.href}`,
    async retrieve(queries, topK, signal) {
      if (queries.length === 0) return [];
      const body: RetrieveRequest = { queries, topk: topK, return_scores: true };
      for (let tryIndex = 0; ; tryIndex += 1) {
        try {
          const results = await attempt(body, signal);
          if (results.length !== queries.length) {
            throw new UpstreamHttpError(
              `${endpoint.href}: ${results.length} results for ${queries.length} queries`,
              502,
            );
          }
          return results;
        } catch (error) {
          const retryable = error instanceof UpstreamHttpError && error.isRetryable;
          if (!retryable || tryIndex >= retries || signal?.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** tryIndex));
        }
      }
    },
  };
}
