"""bm25s side of the retrieval benchmark: index build time, peak memory, QPS, top-10 ids.

  python bm25s_bench.py --corpus C --queries Q --out hits.jsonl --out-tie-broken hits2.jsonl
      [--backend numpy|numba]
Prints one JSON object of measurements. Writes bm25s's own `retrieve` top-10 per query to --out
(timed; ties ordered arbitrarily by np.argpartition), and, untimed, top-10 lists made from
bm25s's own `get_scores` with ties broken by lower document index to --out-tie-broken, so the
overlap with an engine that also prefers lower document numbers is well defined.
"""
import argparse
import json
import os
import resource
import time

import bm25s
import numpy as np


def top_k_lower_index_first(scores, k):
    """Top k of a score vector, best first, equal scores by lower document index."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    candidates = np.flatnonzero(scores >= kth)  # ascending index
    order = np.argsort(-scores[candidates], kind="stable")[:k]
    return candidates[order]


def write_hits(path, queries, ids, doc_rows, score_rows):
    with open(path, "w", encoding="utf-8") as out:
        for q, doc_row, score_row in zip(queries, doc_rows, score_rows):
            hits = [[ids[int(d)], float(s)] for d, s in zip(doc_row, score_row)]
            out.write(json.dumps({"id": q["id"], "hits": hits}) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--out-tie-broken", required=True)
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    ids, texts = [], []
    with open(args.corpus, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            ids.append(row["id"])
            texts.append(row["contents"])
    read_s = time.perf_counter() - started
    t0 = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
    del texts
    model = bm25s.BM25(method="lucene", k1=1.5, b=0.75, backend=args.backend)
    model.index(tokens, show_progress=False)
    del tokens
    build_s = time.perf_counter() - t0
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    model.save(args.out + ".index")
    save_s = time.perf_counter() - t0
    queries = [json.loads(line) for line in open(args.queries, encoding="utf-8")]
    q_tokens = bm25s.tokenize([q["question"] for q in queries], stopwords="en", return_ids=False, show_progress=False)
    model.retrieve(q_tokens[:20], k=args.k, show_progress=False, n_threads=1)  # warm-up (numba JIT)
    timings = {}
    results = None
    for label, threads in (("single", 1), ("all", os.cpu_count() or 1)):
        t0 = time.perf_counter()
        docs, scores = model.retrieve(q_tokens, k=args.k, show_progress=False, n_threads=threads)
        timings[label] = len(queries) / (time.perf_counter() - t0)
        results = (docs, scores)
    write_hits(args.out, queries, ids, *results)
    tie_docs, tie_scores = [], []
    for tokens in q_tokens:
        known = model.get_tokens_ids(tokens)
        if not known:
            tie_docs.append([])
            tie_scores.append([])
            continue
        scores = model.get_scores_from_ids(known)
        top = top_k_lower_index_first(scores, args.k)
        tie_docs.append(top)
        tie_scores.append(scores[top])
    write_hits(args.out_tie_broken, queries, ids, tie_docs, tie_scores)
    print(json.dumps({
        "engine": f"bm25s {bm25s.__version__} ({args.backend})",
        "readSeconds": read_s,
        "buildSeconds": build_s,
        "saveSeconds": save_s,
        "peakRssMiB": build_rss,
        "qpsSingleThread": timings["single"],
        "qpsAllCores": timings["all"],
        "threads": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
