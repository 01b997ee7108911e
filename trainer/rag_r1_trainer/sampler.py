"""Resumable data order: each epoch's order is a pure function of (seed, epoch), so the sampler's
whole state is (epoch, position) and a resumed run replays exactly the remaining batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


def epoch_permutation(n: int, seed: int, epoch: int) -> list[int]:
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=generator).tolist()


@dataclass
class ResumableSampler:
    """Yields batches (lists of item groups) epoch after epoch from `make_batches(order)`."""

    n_items: int
    seed: int
    make_batches: Callable[[list[int]], list[list[list[int]]]]
    epoch: int = 0
    position: int = 0

    def __post_init__(self) -> None:
        self._cache: tuple[int, list[list[list[int]]]] | None = None

    def batches_for(self, epoch: int) -> list[list[list[int]]]:
        if self._cache is None or self._cache[0] != epoch:
            self._cache = (epoch, self.make_batches(epoch_permutation(self.n_items, self.seed, epoch)))
        return self._cache[1]

    def next_batch(self) -> list[list[int]]:
        batches = self.batches_for(self.epoch)
        if self.position >= len(batches):
            self.epoch, self.position = self.epoch + 1, 0
            batches = self.batches_for(self.epoch)
        batch = batches[self.position]
        self.position += 1
        return batch

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
