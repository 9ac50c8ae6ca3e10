"""`make deploy`'s sam deploy: samconfig.toml's parameter_overrides for the environment, with any
`--parameter-overrides` in DEPLOY_ARGS merged over them (sam deploy alone would replace them all: a
first prod deploy naming StripePriceId would silently get the template's Stage=dev).

    python infra/deploy_args.py SAM ENV [DEPLOY_ARGS...]   # runs SAM deploy --config-env ENV ...

Standalone (the standard library only). It becomes sam (exec), so sam's prompts read the terminal.
"""

from __future__ import annotations

import os
import shlex
import sys
import tomllib
from pathlib import Path

SAMCONFIG = Path("samconfig.toml")


def _pairs(tokens: list[str]) -> dict[str, str]:
    pairs = {}
    for token in tokens:
        name, sep, value = token.partition("=")
        if not sep or not name:
            raise SystemExit(f"deploy_args: --parameter-overrides takes Name=Value pairs, not {token!r}")
        pairs[name] = value
    return pairs


def configured_overrides(env: str, samconfig: Path = SAMCONFIG) -> dict[str, str]:
    config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    parameters = config.get(env, {}).get("deploy", {}).get("parameters", {})
    overrides = parameters.get("parameter_overrides", "")
    tokens = shlex.split(overrides) if isinstance(overrides, str) else list(overrides)
    return _pairs(tokens)


def merged_arguments(env: str, args: list[str], samconfig: Path = SAMCONFIG) -> list[str]:
    """`--config-env ENV`, the other DEPLOY_ARGS as given, and one --parameter-overrides holding
    samconfig's pairs with DEPLOY_ARGS's over them."""
    extra: list[str] = []
    given: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--parameter-overrides":
            for value in rest:
                if value.startswith("--"):
                    extra.append(value)
                    break
                given.append(value)
        else:
            extra.append(arg)
    if not given:
        return ["--config-env", env, *extra]
    merged = {**configured_overrides(env, samconfig), **_pairs(given)}
    return ["--config-env", env, *extra, "--parameter-overrides", *(f"{k}={v}" for k, v in merged.items())]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sam, env, args = argv[0], argv[1], argv[2:]
    command = [sam, "deploy", *merged_arguments(env, args)]
    print("$", shlex.join(command), flush=True)
    os.execv(sam, command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
