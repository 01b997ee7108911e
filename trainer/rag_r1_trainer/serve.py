"""`serve`: an OpenAI-compatible server for a trained checkpoint (HF or tiny) on CPU or one GPU,
for hosts without vLLM. Concurrent requests are batched into one `generate_turns` call (the
trainer's own KV-cache loop and text stops), so evaluation and teacher sampling drive a real
model through the same HTTP path as a remote endpoint.

Speaks what the platform's HTTP backend sends, as vLLM does: `/v1/completions` (a prompt
string) and `/v1/chat/completions` (the checkpoint's chat template; `continue_final_message`
continues an assistant prefix), `n`, `stop` (cut from the text, named in `stop_reason`), `seed`
(per request, whatever it is batched with), and `stream` (the finished text as OpenAI chunks; tokens are not streamed one by
one). Parameters it does not implement get a 400 naming them.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import torch

from . import events
from .checkpoint import load_policy
from .config import ServeConfig
from .generate import StopRule, generate_turns
from .runtime import resolve_device, seed_everything

SUPPORTED = {
    "model", "prompt", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop", "seed",
    "stream", "continue_final_message", "add_generation_prompt", "user",
}


class RequestError(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass
class Job:
    ids: list[int]
    max_tokens: int
    temperature: float
    top_p: float
    stops: list[str]
    seed: int | None
    done: threading.Event = field(default_factory=threading.Event)
    result: tuple[str, str, str | None, int] | None = None  # text, finish_reason, stop_reason, tokens
    error: str | None = None


class Engine:
    """One batching thread in front of the model: jobs with the same sampling settings that
    arrive within `batch_wait_ms` of each other run as one left-padded batch."""

    def __init__(self, cfg: ServeConfig) -> None:
        self.cfg = cfg
        self.device = resolve_device(cfg.device, cfg.threads)
        seed_everything(cfg.seed)
        self.policy, self.tok, self.folder = load_policy(cfg.checkpoint, "config field 'checkpoint'", self.device)
        self.policy.eval()
        self.jobs: queue.Queue[Job] = queue.Queue()
        self.generator = torch.Generator().manual_seed(cfg.seed)
        threading.Thread(target=self._loop, daemon=True).start()

    def submit(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.jobs.put(job)
        for job in jobs:
            job.done.wait()

    def _loop(self) -> None:
        while True:
            first = self.jobs.get()
            batch = [first]
            deadline = time.monotonic() + self.cfg.batch_wait_ms / 1000
            while len(batch) < self.cfg.max_batch:
                try:
                    batch.append(self.jobs.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            groups: dict[tuple, list[Job]] = {}
            for job in batch:
                groups.setdefault((job.temperature, job.top_p), []).append(job)
            for (temperature, top_p), jobs in groups.items():
                self._run(jobs, temperature, top_p)

    def _next_seed(self) -> int:
        return int(torch.randint(0, 2**62, (1,), generator=self.generator))

    def _run(self, jobs: list[Job], temperature: float, top_p: float) -> None:
        try:
            room = [max(0, min(j.max_tokens, self.policy.max_position - len(j.ids))) for j in jobs]
            stops = [StopRule(self.tok.decode, j.stops, self.tok.eos_id) for j in jobs]
            # One generator per row: a request's seed decides its own sample whatever it is
            # batched with (rollout drivers send a seed per request).
            generators = [torch.Generator().manual_seed(j.seed if j.seed is not None else self._next_seed()) for j in jobs]
            with torch.no_grad():
                outs = generate_turns(self.policy, [j.ids for j in jobs], room, stops, self.tok.pad_id, temperature, top_p, generators)
            for job, out in zip(jobs, outs):
                job.result = finish(self.tok.decode(out.tokens, skip_special=True), job.stops, out.stopped, out.tokens, self.tok.eos_id)
        except Exception as exc:  # reported to each waiting request, the server keeps serving
            for job in jobs:
                job.error = f"{type(exc).__name__}: {exc}"
        for job in jobs:
            job.done.set()


def finish(text: str, stops: list[str], stopped: bool, tokens: list[int], eos_id: int) -> tuple[str, str, str | None, int]:
    """vLLM's answer shape: the text up to the first stop string (which it leaves out and names
    in `stop_reason`), `stop` on EOS, `length` when the budget ran out."""
    hits = [(text.find(s), s) for s in stops if s in text]
    if hits:
        at, stop = min(hits)
        return text[:at], "stop", stop, len(tokens)
    return text, "stop" if stopped and tokens and tokens[-1] == eos_id else "length", None, len(tokens)


def _number(body: dict, key: str, default: float, low: float, high: float) -> float:
    value = body.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise RequestError(f"'{key}' must be a number in [{low}, {high}]", key)
    return float(value)


def parse_request(body: Any, engine: Engine, chat: bool) -> tuple[list[Job], list[int], bool]:
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    unknown = sorted(set(body) - SUPPORTED)
    if unknown:
        raise RequestError(f"unsupported parameter(s): {', '.join(unknown)}", unknown[0])
    if body.get("model") not in (None, engine.cfg.model_name):
        raise RequestError(f"model '{body.get('model')}' is not served here; this server serves '{engine.cfg.model_name}'", "model")
    ids = _chat_ids(body, engine) if chat else _prompt_ids(body, engine)
    stops = body.get("stop") or []
    stops = [stops] if isinstance(stops, str) else stops
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise RequestError("'stop' must be a string or a list of non-empty strings", "stop")
    max_tokens = int(_number(body, "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens", 256, 1, 1 << 20))
    n = int(_number(body, "n", 1, 1, 64))
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise RequestError("'seed' must be an integer", "seed")
    temperature, top_p = _number(body, "temperature", 1.0, 0.0, 10.0), _number(body, "top_p", 1.0, 1e-6, 1.0)
    if len(ids) >= engine.policy.max_position:
        raise RequestError(f"the prompt is {len(ids)} tokens; the model has {engine.policy.max_position} positions", "prompt")
    # Choice i of a seeded request is the request seeded with seed + i.
    jobs = [Job(ids, max_tokens, temperature, top_p, stops, None if seed is None else seed + i) for i in range(n)]
    return jobs, ids, bool(body.get("stream", False))


def _prompt_ids(body: dict, engine: Engine) -> list[int]:
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        raise RequestError("'prompt' must be a string (token-id and batched prompts are not supported)", "prompt")
    return engine.tok.encode(prompt)


def _chat_ids(body: dict, engine: Engine) -> list[int]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(
        isinstance(m, dict) and m.get("role") in ("system", "user", "assistant") and isinstance(m.get("content"), str) for m in messages
    ):
        raise RequestError("'messages' must be a non-empty list of {role: system|user|assistant, content: string}", "messages")
    if body.get("continue_final_message"):
        if messages[-1]["role"] != "assistant":
            raise RequestError("continue_final_message needs an assistant message last", "messages")
        return engine.tok.encode_chat(messages[:-1]) + engine.tok.encode(messages[-1]["content"])
    if body.get("add_generation_prompt") is False:
        raise RequestError("add_generation_prompt=false is supported only with continue_final_message", "add_generation_prompt")
    return engine.tok.encode_chat(messages)


def response_body(jobs: list[Job], prompt_tokens: int, model: str, chat: bool) -> dict:
    choices = []
    for index, job in enumerate(jobs):
        text, reason, stop, _ = job.result
        content = {"message": {"role": "assistant", "content": text}} if chat else {"text": text}
        choices.append({"index": index, **content, "finish_reason": reason, "stop_reason": stop})
    completion = sum(job.result[3] for job in jobs)
    return {
        "id": f"{'chatcmpl' if chat else 'cmpl'}-{uuid.uuid4().hex}", "object": "chat.completion" if chat else "text_completion",
        "created": int(time.time()), "model": model, "choices": choices,
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion, "total_tokens": prompt_tokens + completion},
    }


def stream_events(body: dict, chat: bool) -> list[dict]:
    """The finished response as OpenAI stream chunks: role, content, finish, per choice."""
    base = {"id": body["id"], "object": "chat.completion.chunk" if chat else "text_completion", "created": body["created"], "model": body["model"]}
    out = []
    for choice in body["choices"]:
        i = choice["index"]
        if chat:
            out.append({**base, "choices": [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
            out.append({**base, "choices": [{"index": i, "delta": {"content": choice["message"]["content"]}, "finish_reason": None}]})
            out.append({**base, "choices": [{"index": i, "delta": {}, "finish_reason": choice["finish_reason"], "stop_reason": choice["stop_reason"]}]})
        else:
            out.append({**base, "choices": [{"index": i, "text": choice["text"], "finish_reason": choice["finish_reason"], "stop_reason": choice["stop_reason"]}]})
    return out


def make_handler(engine: Engine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # stdout carries the event protocol
            pass

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, param: str | None = None) -> None:
            kind = "invalid_request_error" if status < 500 else "server_error"
            self._json(status, {"error": {"message": message, "type": kind, "param": param, "code": None}})

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._json(200, {"object": "list", "data": [{"id": engine.cfg.model_name, "object": "model", "owned_by": "rag-r1-lab"}]})
            elif self.path == "/health":
                self._json(200, {"status": "ok"})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self) -> None:
            path = self.path.rstrip("/")
            if path not in ("/v1/completions", "/v1/chat/completions"):
                self._error(404, f"no route {self.path}")
                return
            chat = path.endswith("chat/completions")
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                jobs, ids, stream = parse_request(body, engine, chat)
            except json.JSONDecodeError as exc:
                self._error(400, f"the request body is not JSON: {exc}")
                return
            except RequestError as exc:
                self._error(400, str(exc), exc.param)
                return
            engine.submit(jobs)
            failed = next((j.error for j in jobs if j.error), None)
            if failed:
                self._error(500, failed)
                return
            payload = response_body(jobs, len(ids), engine.cfg.model_name, chat)
            if not stream:
                self._json(200, payload)
                return
            data = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in stream_events(payload, chat)) + b"data: [DONE]\n\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def run_serve(cfg: ServeConfig) -> None:
    engine = Engine(cfg)
    server = ThreadingHTTPServer((cfg.host, cfg.port), make_handler(engine))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    events.emit("ready", url=f"http://{host}:{port}/v1", model=cfg.model_name, checkpoint=str(engine.folder))
    server.serve_forever()
