"""Trainer errors: each carries a closed-set code that the protocol reports to the TS worker."""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal[
    "CONFIG_INVALID",
    "DATA_INVALID",
    "CHECKPOINT_INVALID",
    "DEVICE_UNAVAILABLE",
    "RETRIEVAL_FAILED",
    "INTERNAL",
]


class TrainerError(Exception):
    """A failure the caller can act on; `code` is part of the process protocol."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message


def config_error(message: str) -> TrainerError:
    return TrainerError("CONFIG_INVALID", message)


def data_error(message: str) -> TrainerError:
    return TrainerError("DATA_INVALID", message)


def checkpoint_error(message: str) -> TrainerError:
    return TrainerError("CHECKPOINT_INVALID", message)
