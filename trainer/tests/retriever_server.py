"""A Search-R1-shaped `POST /retrieve` over a jsonl corpus (word-overlap scoring), for tests."""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class Index:
    def __init__(self, corpus: Path) -> None:
        self.docs = [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
        self.bags = [Counter(_words(d["contents"])) for d in self.docs]
        df = Counter(w for bag in self.bags for w in bag)
        self.idf = {w: math.log(1 + len(self.docs) / c) for w, c in df.items()}

    def search(self, query: str, topk: int) -> list[dict]:
        q = set(_words(query))
        scored = [(sum(self.idf[w] for w in q if w in bag), -i) for i, bag in enumerate(self.bags)]
        best = sorted(scored, reverse=True)[:topk]
        return [{"document": self.docs[-i], "score": s} for s, i in best]


def start_server(corpus: Path) -> tuple[ThreadingHTTPServer, str]:
    index = Index(corpus)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            result = [index.search(q, int(body.get("topk") or 3)) for q in body["queries"]]
            data = json.dumps({"result": result}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/retrieve"
