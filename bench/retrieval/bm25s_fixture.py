"""Writes bm25s's top-10 for the real QA questions over the real 8.5k-passage corpus.

The fixture lets the TypeScript BM25 tests check conformance with bm25s without Python at test
time. Run with the bench venv (bm25s, PyStemmer<3):
  .data/venv/bench/bin/python bench/retrieval/bm25s_fixture.py > retriever/fixtures/bm25s-wiki-sample.json
"""
import glob
from pathlib import Path
import json
import sys

import bm25s
import Stemmer

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
CORPUS = str(SHARED / "corpus" / "wiki-sample.jsonl")
QA = sorted(glob.glob(str(SHARED / "qa-samples" / "*.jsonl")))
CONFIGS = [
    {"name": "lucene-default", "method": "lucene", "k1": 1.5, "b": 0.75, "stemmer": None},
    {"name": "robertson-stemmed", "method": "robertson", "k1": 1.2, "b": 0.75, "stemmer": "english"},
    {"name": "bm25plus", "method": "bm25+", "k1": 1.5, "b": 0.75, "stemmer": None},
]


def main() -> None:
    rows = [json.loads(line) for line in open(CORPUS, encoding="utf-8")]
    ids = [row["id"] for row in rows]
    texts = [row["contents"] for row in rows]
    questions = []
    for path in QA:
        for line in list(open(path, encoding="utf-8"))[:30]:
            questions.append(json.loads(line)["question"])
    out = {"bm25s": bm25s.__version__, "queries": questions, "configs": []}
    for config in CONFIGS:
        stemmer = Stemmer.Stemmer(config["stemmer"]) if config["stemmer"] else None
        corpus_tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
        model = bm25s.BM25(method=config["method"], k1=config["k1"], b=config["b"])
        model.index(corpus_tokens, show_progress=False)
        query_tokens = bm25s.tokenize(questions, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        docs, scores = model.retrieve(query_tokens, k=10, show_progress=False, n_threads=1)
        hits = [
            [[ids[int(d)], round(float(s), 5)] for d, s in zip(doc_row, score_row)]
            for doc_row, score_row in zip(docs, scores)
        ]
        out["configs"].append({**config, "hits": hits})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
