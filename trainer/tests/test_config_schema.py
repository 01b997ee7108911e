"""The pydantic `sft` and `ppo` configs agree with the JSON Schema that TypeScript emits from
lib/rag-r1/trainer-config.ts (trainer/schemas/; rewrite it with
`npx tsx infra/write-trainer-schemas.ts`): same fields, same required set, compatible types,
enum values and bounds, and no Python default for anything that changes training."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from rag_r1_trainer.config import PpoConfig, SftConfig, parse_config
from rag_r1_trainer.errors import TrainerError

from .configs import SCHEMAS, tiny_config

MODELS: dict[str, type[BaseModel]] = {"sft": SftConfig, "ppo": PpoConfig}
# They change what is reported, never what is trained, so the trainer may default them.
REPORTING_ONLY = {"log_every", "log_batch_ids"}
BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minLength", "maxLength", "minItems")


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}-config.schema.json").read_text())


def _options(node: dict[str, Any]) -> list[dict[str, Any]]:
    return node.get("anyOf") or node.get("oneOf") or [node]


def _variants(node: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property (a union or a nullable), `$ref`s resolved."""
    out: list[dict[str, Any]] = []
    for option in _options(node):
        if "$ref" in option:
            option = root["$defs"][option["$ref"].rsplit("/", 1)[-1]]
        if option.get("type") != "null":
            out.append(option)
    return out


def _nullable(node: dict[str, Any]) -> bool:
    return any(o.get("type") == "null" for o in _options(node))


def _kind(option: dict[str, Any]) -> Any:
    """The discriminator value of a union member (its `kind` constant), if it has one."""
    kind = option.get("properties", {}).get("kind", {})
    return kind.get("const", (kind.get("enum") or [None])[0])


def _pairs(ts_node: dict[str, Any], py_node: dict[str, Any], root: dict[str, Any]) -> list[tuple[dict, dict]] | None:
    """TypeScript and Python union members matched up: one each, or one per `kind`."""
    ts_opts, py_opts = _variants(ts_node, {}), _variants(py_node, root)
    if len(ts_opts) == len(py_opts) == 1:
        return [(ts_opts[0], py_opts[0])]
    by_kind = {_kind(o): o for o in py_opts}
    if len(ts_opts) != len(py_opts) or None in by_kind or any(_kind(o) not in by_kind for o in ts_opts):
        return None
    return [(o, by_kind[_kind(o)]) for o in ts_opts]


def _type_problems(where: str, ts: dict[str, Any], py: dict[str, Any]) -> list[str]:
    ts_type, py_type = ts.get("type"), py.get("type")
    # An integer is a valid float; a fraction is not a valid int.
    if ts_type != py_type and not (ts_type == "integer" and py_type == "number"):
        return [f"{where}: TypeScript sends {ts_type}, Python takes {py_type}"]
    if ts.get("const") != py.get("const"):
        return [f"{where}: constant {ts.get('const')!r} in TypeScript, {py.get('const')!r} in Python"]
    if "enum" in ts or "enum" in py:
        if sorted(ts.get("enum", [])) != sorted(py.get("enum", [])):
            return [f"{where}: enum {ts.get('enum')} in TypeScript, {py.get('enum')} in Python"]
    # TypeScript may be stricter; every bound Python enforces must already hold there.
    return [
        f"{where}: Python {key}={py[key]}, TypeScript {key}={ts.get(key)}"
        for key in BOUNDS
        if key in py and ts.get(key) != py[key]
    ]


def _compare(where: str, ts: dict[str, Any], py: dict[str, Any], root: dict[str, Any]) -> list[str]:
    """Every disagreement between a TypeScript object schema and a pydantic one, by path."""
    ts_props, py_props = ts["properties"], py["properties"]
    problems = [f"{where}.{name}: only in TypeScript" for name in sorted(set(ts_props) - set(py_props))]
    problems += [f"{where}.{name}: only in Python" for name in sorted(set(py_props) - set(ts_props))]
    for name in sorted(set(ts.get("required", [])) ^ set(py.get("required", []))):
        side = "TypeScript" if name in ts.get("required", []) else "Python"
        problems.append(f"{where}.{name}: required in {side} only")
    for name in sorted(set(ts_props) & set(py_props)):
        # An optional TypeScript field is left out, which Python reads as its None default.
        if name in ts.get("required", []) and _nullable(ts_props[name]) != _nullable(py_props[name]):
            problems.append(f"{where}.{name}: null accepted on one side only")
        pairs = _pairs(ts_props[name], py_props[name], root)
        if pairs is None:
            problems.append(f"{where}.{name}: the two sides take different kinds of value")
            continue
        for ts_node, py_node in pairs:
            at = f"{where}.{name}" + (f"[{_kind(ts_node)}]" if len(pairs) > 1 else "")
            problems += _type_problems(at, ts_node, py_node)
            if ts_node.get("type") == "object" and "properties" in ts_node and "properties" in py_node:
                problems += _compare(at, ts_node, py_node, root)
            if ts_node.get("type") == "array" and py_node.get("type") == "array":
                problems += _type_problems(f"{at}[]", ts_node["items"], py_node["items"])
    return problems


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_pydantic_model_matches_the_typescript_json_schema(kind: str) -> None:
    model = MODELS[kind]
    python = model.model_json_schema()
    problems = _compare(kind, _schema(kind), python, python)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_nothing_that_changes_training_has_a_python_default(kind: str) -> None:
    def defaulted(model: type[BaseModel], prefix: str) -> list[str]:
        out: list[str] = []
        for name, field in model.model_fields.items():
            if not field.is_required() and name not in REPORTING_ONLY and field.default is not None:
                out.append(f"{prefix}{name} = {field.default!r}")
            nested = field.annotation
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                out += defaulted(nested, f"{prefix}{name}.")
        return out

    # An optional path (eval_file, init_checkpoint, critic_checkpoint) or max_steps may be
    # absent; a value that is trained with may not be filled in here.
    assert defaulted(MODELS[kind], "") == []


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_the_tiny_recipe_configs_validate(kind: str) -> None:
    config = parse_config(MODELS[kind], tiny_config(kind))
    assert config.output_dir == "OUTPUT_DIR"


def test_presets_are_gone_and_a_missing_value_is_named() -> None:
    with pytest.raises(TrainerError, match="preset"):
        parse_config(SftConfig, tiny_config("sft", preset="tiny"))
    incomplete = tiny_config("ppo")
    del incomplete["actor_warmup_ratio"]
    with pytest.raises(TrainerError, match="actor_warmup_ratio"):
        parse_config(PpoConfig, incomplete)
