"""The backbone interface, two implementations: the from-scratch tiny GPT (model.py) and Hugging
Face causal LMs (hf_model.py). A policy has `trunk(ids, mask, positions, past, segment_ids,
use_cache) -> (hidden, cache)`, `project(hidden) -> logits` and `max_position`; a tokenizer has
`encode`, `decode`, `encode_chat`, `eos_id`, `pad_id` and `save`. Everything above (SFT, PPO,
GRPO, the turn loop, probe) is written against these only.
"""

from __future__ import annotations

from .hf_model import HfPolicy, HfTokenizer
from .model import GPT
from .tokenizer import Tokenizer

Policy = GPT | HfPolicy
TextCodec = Tokenizer | HfTokenizer
