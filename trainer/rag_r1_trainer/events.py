"""The stdout half of the process protocol: one JSON object per line, flushed immediately."""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def emit(event: str, **fields: Any) -> None:
    """Writes one protocol event; non-finite floats become null so the line stays valid JSON."""
    sys.stdout.write(json.dumps(_clean({"event": event, **fields})) + "\n")
    sys.stdout.flush()


def progress(step: int, total: int, metrics: dict[str, Any]) -> None:
    emit("progress", step=step, total=total, metrics=metrics)


def checkpoint(path: str, step: int, **extra: Any) -> None:
    emit("checkpoint", path=path, step=step, **extra)


def done(**fields: Any) -> None:
    emit("done", **fields)


def error(code: str, message: str) -> None:
    emit("error", code=code, message=message)
