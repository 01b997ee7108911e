"""SFT samples (trainer/sft-sample.schema.json): validation, token/loss-mask encoding, length-bucketed batches."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import data_error
from .backbone import TextCodec

ROLES = ("system", "user")


@dataclass(frozen=True)
class EncodedSample:
    sample_id: str
    ids: list[int]
    loss: list[int]


def read_jsonl(path: str | Path, what: str) -> list[tuple[int, dict[str, Any]]]:
    file = Path(path)
    if not file.is_file():
        raise data_error(f"{what}: file not found: {file}")
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise data_error(f"{file}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise data_error(f"{file}:{number}: expected a JSON object")
        rows.append((number, row))
    if not rows:
        raise data_error(f"{what}: {file} has no samples")
    return rows


def _check_str(row: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = row.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise data_error(f"{where}: field '{key}' must be a string")
    return value


def _segments(row: dict[str, Any], where: str) -> list[tuple[str, bool]]:
    if "segments" in row:
        if "target" in row or "context" in row:
            raise data_error(f"{where}: give either 'segments' or 'context'/'target', not both")
        segs = row["segments"]
        if not isinstance(segs, list) or not segs:
            raise data_error(f"{where}: field 'segments' must be a non-empty list")
        out = []
        for i, seg in enumerate(segs):
            if not isinstance(seg, dict) or not isinstance(seg.get("text"), str) or not isinstance(seg.get("loss"), bool):
                raise data_error(f"{where}: segments[{i}] must be {{text: string, loss: boolean}}")
            out.append((seg["text"], seg["loss"]))
        if not any(loss for _, loss in out):
            raise data_error(f"{where}: no segment has loss=true")
        return out
    context = _check_str(row, "context", where, required=False)
    target = _check_str(row, "target", where)
    if not target.strip():
        raise data_error(f"{where}: field 'target' is empty")
    return [(context, False), (target, True)]


def validate_messages(row: dict[str, Any], where: str) -> list[dict[str, str]]:
    messages = row.get("messages")
    if not isinstance(messages, list) or not messages:
        raise data_error(f"{where}: field 'messages' must be a non-empty list")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise data_error(f"{where}: messages[{i}] must be {{role: 'system'|'user', content: string}}")
    return messages


def encode_sample(tokenizer: TextCodec, row: dict[str, Any], where: str, max_len: int) -> EncodedSample:
    sample_id = _check_str(row, "id", where)
    if "text" in row:
        # A plain language-model row (pretraining a from-scratch base model): loss everywhere.
        bos = [] if tokenizer.bos_id is None else [tokenizer.bos_id]
        ids = [*bos, *tokenizer.encode(_check_str(row, "text", where)), tokenizer.eos_id][:max_len]
        return EncodedSample(sample_id, ids, [1] * len(ids))
    klass = row.get("class")
    if klass is not None and klass not in (1, 2, 3, 4):
        raise data_error(f"{where}: field 'class' must be 1, 2, 3 or 4")
    prompt = tokenizer.encode_chat(validate_messages(row, where))
    ids, loss = list(prompt), [0] * len(prompt)
    for text, has_loss in _segments(row, where):
        piece = tokenizer.encode(text)
        ids += piece
        loss += [int(has_loss)] * len(piece)
    if row.get("target", "").rstrip().endswith("</answer>"):
        ids.append(tokenizer.eos_id)
        loss.append(1)
    if len(ids) <= max_len:
        return EncodedSample(sample_id, ids, loss)
    # Over-long samples keep the chat prompt (BOS, the instruction and the question, then their rightmost tokens
    # (the spec's rolling context), so the step's loss tokens still see what was asked.
    if len(prompt) >= max_len:
        raise data_error(f"{where}: the prompt alone is {len(prompt)} tokens, over seq_len {max_len}")
    tail = max_len - len(prompt)
    return EncodedSample(sample_id, ids[: len(prompt)] + ids[-tail:], loss[: len(prompt)] + loss[-tail:])


def merge_prefixes(samples: list[EncodedSample]) -> list[EncodedSample]:
    """Folds each sample whose tokens are a prefix of another's into that one, loss marks kept.

    A trajectory's step samples nest (step k's input is steps 1..k-1 written out), so most of
    an SFT epoch re-reads the same prompts and observations. Under causal attention a loss
    token sees exactly the same context inside the longer sample, so the loss is unchanged
    while about a third fewer tokens are computed on the tiny world.
    """
    ordered = sorted(samples, key=lambda s: s.ids)
    merged: list[EncodedSample] = []
    carried: list[int] = []
    for index, sample in enumerate(ordered):
        loss = [max(a, b) for a, b in zip(sample.loss, carried)] + sample.loss[len(carried):]
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following is not None and following.ids[: len(sample.ids)] == sample.ids:
            carried = loss
            continue
        merged.append(EncodedSample(sample.sample_id, sample.ids, loss))
        carried = []
    return merged


def load_sft_samples(tokenizer: TextCodec, path: str, max_len: int) -> list[EncodedSample]:
    rows = read_jsonl(path, "SFT data")
    return [encode_sample(tokenizer, row, f"{path}:{n}", max_len) for n, row in rows]


def pack(samples: list[EncodedSample], order: list[int], seq_len: int) -> list[list[int]]:
    """Next-fit in the given order: each row is a list of sample indexes (`batching: packed`)."""
    rows: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index in order:
        size = len(samples[index].ids)
        if current and used + size > seq_len:
            rows.append(current)
            current, used = [], 0
        current.append(index)
        used += size
    if current:
        rows.append(current)
    return rows


def length_batches(samples: list[EncodedSample], order: list[int], tokens_per_batch: int, window: int = 512) -> list[list[list[int]]]:
    """Batches of one-sample rows, similar lengths together, each padded only to its own longest.

    Packing several samples into 1,024-token rows made every row pay full-width attention, and
    samples are mostly ~300 tokens: bucketing within windows of the (random) order instead made
    an SFT epoch about 2x cheaper. Batch order is shuffled so lengths mix across the epoch.
    """
    batches: list[list[list[int]]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(samples[i].ids))
        current: list[int] = []
        longest = 0
        for index in chunk:
            size = len(samples[index].ids)
            if current and max(longest, size) * (len(current) + 1) > tokens_per_batch:
                batches.append([[i] for i in current])
                current, longest = [], 0
            current.append(index)
            longest = max(longest, size)
        if current:
            batches.append([[i] for i in current])
    random.Random(len(order) * 7919 + (order[0] if order else 0)).shuffle(batches)
    return batches
