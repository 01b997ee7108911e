"""Composes a veRL ppo_trainer.yaml with a run's overrides.txt through Hydra, exactly as
`python -m verl.trainer.main_ppo` would, without starting anything. An override naming a key
the yaml lacks, or a value Hydra cannot parse, fails here instead of on a GPU cluster.
Prints every overridden key with the typed value Hydra produced. Needs hydra-core.

Usage: python check_overrides.py CONFIG_DIR OVERRIDES_TXT [--json]
  CONFIG_DIR: the fork's verl/trainer/config (holds ppo_trainer.yaml)
"""

import json
import os
import sys

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf


def main():
    args = [arg for arg in sys.argv[1:] if arg != "--json"]
    if len(args) != 2:
        sys.exit(__doc__)
    config_dir, overrides_path = os.path.abspath(args[0]), args[1]
    with open(overrides_path, encoding="utf-8") as handle:
        overrides = [line.rstrip("\n") for line in handle if line.strip()]
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        config = compose(config_name="ppo_trainer", overrides=overrides)
    typed = {}
    for override in overrides:
        key = override.split("=", 1)[0].lstrip("+")
        value = OmegaConf.select(config, key)
        if OmegaConf.is_config(value):
            value = OmegaConf.to_container(value)
        typed[key] = value
    if "--json" in sys.argv:
        print(json.dumps(typed, indent=2))
        return
    for key, value in typed.items():
        print(f"{key} = {value!r} ({type(value).__name__})")
    print(f"ok: {len(overrides)} overrides compose against {config_dir}/ppo_trainer.yaml")


if __name__ == "__main__":
    main()
