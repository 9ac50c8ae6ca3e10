"""The newcomer's path through the Makefile: `make help` lists every target and variable, and the
local-stack targets say plainly what is wrong (run in a scratch copy, never touching a real stack)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def make(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", str(where / "Makefile"), *args],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def scratch(tmp_path: Path) -> Path:
    """A copy of the Makefile whose tool environments look installed (no pip, no venv)."""
    (tmp_path / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "emulator-requirements.txt").write_text("", encoding="utf-8")
    time.sleep(0.01)
    for tool in (".venv/.installed-stamp", ".venv-sam/bin/sam", ".venv-ministack/bin/ministack"):
        (tmp_path / tool).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / tool).write_text("", encoding="utf-8")
    (tmp_path / ".venv" / "bin").mkdir(exist_ok=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_help_lists_every_target_and_variable(tmp_path: Path) -> None:
    out = make(scratch(tmp_path), "help").stdout
    phony = re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE)
    assert phony
    for target in phony.group(1).split():
        assert f"make {target} " in out, target
    for variable in set(re.findall(r"^([A-Z_]+) \?=", MAKEFILE, re.MULTILINE)) | {"DEPLOY_ARGS", "BENCH_ARGS"}:
        assert f"  {variable}=" in out, variable


def test_dev_tokens_without_a_stack_says_so_in_one_line_and_fails(tmp_path: Path) -> None:
    result = make(scratch(tmp_path), "dev-tokens")
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.splitlines()[0] == "no local stack is running: start one with make dev-up"
    assert "Traceback" not in result.stderr


def test_dev_up_on_another_port_names_the_port_already_in_use(tmp_path: Path) -> None:
    where = scratch(tmp_path)
    (where / ".dev").mkdir()
    state = {"pid": os.getpid(), "endpointUrl": "http://127.0.0.1:3000", "apiUrl": "http://127.0.0.1:3000/x"}
    (where / ".dev" / "stack.json").write_text(json.dumps(state), encoding="utf-8")

    result = make(where, "dev-up", "DEV_PORT=8080")
    assert result.returncode != 0
    assert "already up on http://127.0.0.1:3000, not on port 8080: make dev-down first" in result.stderr
    same = make(where, "dev-up", "DEV_PORT=3000")
    assert same.returncode == 0 and "already up on http://127.0.0.1:3000" in same.stdout


def test_deploy_merges_extra_parameter_overrides_with_samconfigs(tmp_path: Path) -> None:
    """`make deploy DEPLOY_ARGS="--parameter-overrides ..."` adds to the environment's overrides in
    samconfig.toml (sam deploy alone would drop them: Stage=dev on a first prod deploy)."""
    where = scratch(tmp_path)
    (where / "samconfig.toml").write_text((ROOT / "samconfig.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (where / "infra" / "deploy_args.py").write_text(
        (ROOT / "infra" / "deploy_args.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    calls = where / "calls.txt"
    for tool in (".venv-sam/bin/sam", ".venv/bin/essays-web"):
        (where / tool).write_text(f'#!/bin/sh\nprintf "%s|" "$0" "$@" >> {calls}\necho >> {calls}\n', encoding="utf-8")
        (where / tool).chmod(0o755)

    extra = "--parameter-overrides StripePriceId=price_1Abc AlarmEmail=ops@example.org ThrottlingRateLimit=50"
    result = make(where, "deploy", "DEPLOY_ENV=prod", f"DEPLOY_ARGS={extra} --no-confirm-changeset")
    assert result.returncode == 0, result.stderr
    build, deploy, publish = calls.read_text(encoding="utf-8").splitlines()
    assert build.split("|")[1:3] == ["build", ""]
    arguments = deploy.rstrip("|").split("|")[1:]
    assert arguments[:4] == ["deploy", "--config-env", "prod", "--no-confirm-changeset"]
    assert arguments[4] == "--parameter-overrides"
    overrides = dict(pair.split("=", 1) for pair in arguments[5:])
    assert overrides["Stage"] == "prod" and overrides["TableDeletionProtection"] == "true"
    assert overrides["DeploymentType"] == "Canary10Percent5Minutes"
    assert overrides["StripePriceId"] == "price_1Abc" and overrides["AlarmEmail"] == "ops@example.org"
    assert overrides["ThrottlingRateLimit"] == "50", "the operator's value wins over samconfig's 500"
    assert publish.split("|")[1:4] == ["publish", "--config-env", "prod"]

    calls.unlink()
    assert make(where, "deploy").returncode == 0  # no overrides given: samconfig's apply as they are
    deploy = calls.read_text(encoding="utf-8").splitlines()[1]
    assert deploy.rstrip("|").split("|")[1:] == ["deploy", "--config-env", "default"]
