"""`python -m rag_r1_trainer <subcommand> --config <json|file> [--resume-from DIR]`."""

from __future__ import annotations

import argparse
import sys
import traceback

from . import events
from .errors import TrainerError, config_error
from .watchdog import start_parent_watchdog


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rag_r1_trainer", exit_on_error=False)
    parser.add_argument("subcommand", choices=["sft", "ppo", "export-onnx", "build-tokenizer", "probe", "import-gguf", "init-hf", "serve"])
    parser.add_argument("--config", required=True, help="JSON object or path to a JSON file")
    parser.add_argument("--resume-from", default=None, help="checkpoint directory to resume from")
    try:
        return parser.parse_args(argv)
    except (argparse.ArgumentError, SystemExit) as exc:
        raise config_error(f"command line: {exc}") from exc


def dispatch(args: argparse.Namespace) -> None:
    # Heavy imports happen after argument parsing so usage errors answer instantly.
    from .config import (ExportConfig, HfInitConfig, ImportGgufConfig, PpoConfig, ProbeConfig, ServeConfig, SftConfig,
                         TokenizerConfig, parse_config, read_config_source)

    raw = read_config_source(args.config)
    if args.subcommand == "sft":
        from .sft import run_sft

        run_sft(parse_config(SftConfig, raw), args.resume_from)
    elif args.subcommand == "ppo":
        from .ppo import run_ppo

        run_ppo(parse_config(PpoConfig, raw), args.resume_from)
    elif args.subcommand == "export-onnx":
        from .export_onnx import run_export

        run_export(parse_config(ExportConfig, raw))
    elif args.subcommand == "probe":
        from .probe import run_probe

        run_probe(parse_config(ProbeConfig, raw))
    elif args.subcommand == "serve":
        from .serve import run_serve

        run_serve(parse_config(ServeConfig, raw))
    elif args.subcommand == "import-gguf":
        from .hf_init import run_import_gguf

        run_import_gguf(parse_config(ImportGgufConfig, raw))
    elif args.subcommand == "init-hf":
        from .hf_init import run_init_hf

        run_init_hf(parse_config(HfInitConfig, raw))
    else:
        from .build_tokenizer import run_build_tokenizer

        run_build_tokenizer(parse_config(TokenizerConfig, raw))


def main(argv: list[str] | None = None) -> int:
    start_parent_watchdog()
    try:
        dispatch(_parse(sys.argv[1:] if argv is None else argv))
        return 0
    except TrainerError as exc:
        events.error(exc.code, exc.message)
        return 2
    except Exception as exc:  # the protocol needs a line even for bugs
        traceback.print_exc(file=sys.stderr)
        events.error("INTERNAL", f"{type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
