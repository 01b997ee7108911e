"""Complete trainer configs for tests: the tiny recipe's `sft` and `ppo` configs as TypeScript
writes them (trainer/schemas/tiny-*-config.json, from lib/rag-r1/trainer-config.ts), with a
test's own paths and settings over them. A field TypeScript adds reaches the tests by itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rag_r1_trainer.config import RolloutFields

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def tiny_config(kind: str, **fields: Any) -> dict[str, Any]:
    """The tiny recipe's `kind` ("sft" or "ppo") config with `fields` replacing its values."""
    base = json.loads((SCHEMAS / f"tiny-{kind}-config.json").read_text())
    return {**base, **fields}


def rollout_fields(**fields: Any) -> dict[str, Any]:
    """The turn-loop settings of the tiny `ppo` config (all but the retriever URL), for `ppo`
    and `probe` configs."""
    base = tiny_config("ppo")
    names = set(RolloutFields.model_fields) - {"retriever_url"}
    return {**{name: base[name] for name in names}, **fields}
