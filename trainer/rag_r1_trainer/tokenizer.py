"""Word-level tokenizer with byte fallback for the tiny world.

Text is first split at special tokens (tags, chat markers), then the text between them into
pieces by one regular expression shared with the TypeScript port (lib/tokenizer): words with an
optional leading space, single other characters with an optional leading space, newlines, and
runs of other ASCII whitespace. Known pieces map to
one id; an unknown " word" tries " " + "word"; anything else becomes its UTF-8 bytes
(`<0xNN>` tokens), so every string round-trips exactly.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .errors import data_error

PAD, BOS, EOS, UNK = "<|pad|>", "<|bos|>", "<|eos|>", "<|unk|>"
CHAT_TOKENS = ["<|system|>", "<|user|>", "<|assistant|>"]
TAG_TOKENS = [
    "<think>", "</think>", "<search>", "</search>",
    "<answer>", "</answer>", "<information>", "</information>",
]
SPECIAL_TOKENS = [PAD, BOS, EOS, UNK, *CHAT_TOKENS, *TAG_TOKENS]
# v2 keeps a JSON escape (`\n`, `\"`) one piece: v1 split `\nSatos` into `\` + `nSatos`, so
# the first word of every document in an mq observation became a token the policy never writes.
PIECE_PATTERNS = {
    "rag-r1-word-v1": r" ?[A-Za-z0-9]+| ?[^ \t\n\r\f\vA-Za-z0-9]|\n|[ \t\r\f\v]+",
    "rag-r1-word-v2": r' ?\\[nrt"\\/]| ?[A-Za-z0-9]+| ?[^ \t\n\r\f\vA-Za-z0-9]|\n|[ \t\r\f\v]+',
}
FORMAT = "rag-r1-word-v2"
PIECE_PATTERN = PIECE_PATTERNS[FORMAT]


def render_chat(messages: list[dict[str, str]]) -> str:
    """The tiny policy's chat template: `<|role|>\\ncontent\\n` per message, then `<|assistant|>\\n`."""
    parts = [f"<|{m['role']}|>\n{m['content']}\n" for m in messages]
    return "".join(parts) + "<|assistant|>\n"


def _compile(specials: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in sorted(specials, key=len, reverse=True)))


def split_pieces(text: str, specials: re.Pattern[str], pieces: re.Pattern[str]) -> list[str]:
    """Special tokens first (wherever they are, even after a space), then the piece pattern."""
    out: list[str] = []
    at = 0
    for match in specials.finditer(text):
        out += pieces.findall(text, at, match.start())
        out.append(match.group(0))
        at = match.end()
    out += pieces.findall(text, at)
    return out


class Tokenizer:
    """Encodes and decodes text; ids: specials, then 256 byte tokens, then learned pieces."""

    def __init__(self, specials: list[str], pieces: list[str], format_name: str = FORMAT) -> None:
        self.format = format_name
        self._pieces = re.compile(PIECE_PATTERNS[format_name])
        self.specials = list(specials)
        self.tokens = [*self.specials, *(f"<0x{b:02X}>" for b in range(256)), *pieces]
        self.byte_offset = len(self.specials)
        self.piece_ids = {p: i for i, p in enumerate(self.tokens) if i >= self.byte_offset + 256}
        self.special_ids = {s: i for i, s in enumerate(self.specials)}
        self._pattern = _compile(self.specials)

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def token_id(self, token: str) -> int:
        return self.special_ids[token]

    @property
    def pad_id(self) -> int:
        return self.special_ids[PAD]

    @property
    def bos_id(self) -> int:
        return self.special_ids[BOS]

    @property
    def eos_id(self) -> int:
        return self.special_ids[EOS]

    def pieces(self, text: str) -> list[str]:
        return split_pieces(text, self._pattern, self._pieces)

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece in self.pieces(text):
            ids.extend(self._encode_piece(piece))
        return ids

    def _encode_piece(self, piece: str) -> list[int]:
        special = self.special_ids.get(piece)
        if special is not None:
            return [special]
        known = self.piece_ids.get(piece)
        if known is not None:
            return [known]
        if len(piece) > 1 and piece[0] == " " and piece[1:] in self.piece_ids and " " in self.piece_ids:
            return [self.piece_ids[" "], self.piece_ids[piece[1:]]]
        return [self.byte_offset + b for b in piece.encode("utf-8")]

    def decode(self, ids: Iterable[int], skip_special: bool = False) -> str:
        out: list[str] = []
        pending = bytearray()
        for i in ids:
            i = int(i)
            if self.byte_offset <= i < self.byte_offset + 256:
                pending.append(i - self.byte_offset)
                continue
            if pending:
                out.append(pending.decode("utf-8", errors="replace"))
                pending.clear()
            if i < self.byte_offset and skip_special and self.specials[i] in (PAD, BOS, EOS, UNK):
                continue
            out.append(self.tokens[i] if 0 <= i < len(self.tokens) else "")
        if pending:
            out.append(pending.decode("utf-8", errors="replace"))
        return "".join(out)

    def encode_chat(self, messages: list[dict[str, str]]) -> list[int]:
        """BOS + the tiny chat template; the assistant's text continues right after."""
        return [self.bos_id, *self.encode(render_chat(messages))]

    def count_tokens(self, text: str) -> int:
        return len(self.encode(text))

    def to_json(self) -> dict:
        pieces = self.tokens[self.byte_offset + 256 :]
        return {"format": self.format, "pattern": PIECE_PATTERNS[self.format], "special_tokens": self.specials, "pieces": pieces}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        file = Path(path)
        if not file.is_file():
            raise data_error(f"tokenizer file not found: {file}")
        try:
            raw = json.loads(file.read_text())
        except json.JSONDecodeError as exc:
            raise data_error(f"tokenizer file {file} is not JSON: {exc}") from exc
        format_name = raw.get("format")
        if format_name not in PIECE_PATTERNS or raw.get("pattern") != PIECE_PATTERNS[format_name]:
            raise data_error(f"tokenizer file {file}: expected format {' or '.join(PIECE_PATTERNS)} with its shared pattern")
        return cls(raw["special_tokens"], raw["pieces"], format_name)


def build_tokenizer(texts: Iterable[str], max_vocab: int = 8000, min_count: int = 1) -> Tokenizer:
    """Learns the piece vocabulary: most frequent pieces first, ties broken by the string."""
    pattern, pieces = _compile(SPECIAL_TOKENS), re.compile(PIECE_PATTERN)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(p for p in split_pieces(text, pattern, pieces) if p not in SPECIAL_TOKENS)
    budget = max(0, max_vocab - len(SPECIAL_TOKENS) - 256)
    ranked = sorted((p for p, c in counts.items() if c >= min_count), key=lambda p: (-counts[p], p))
    chosen = ranked[:budget]
    if " " not in chosen and budget > 0:
        chosen = [" ", *chosen[: budget - 1]]
    return Tokenizer(SPECIAL_TOKENS, chosen)
