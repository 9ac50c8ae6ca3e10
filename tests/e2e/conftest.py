"""The end-to-end suite runs over HTTP against template.yaml deployed into the local emulator:
`essays-dev` started in a subprocess on a free port (or the stack `make dev-up` left in .dev/stack.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _running_stack() -> dict[str, Any] | None:
    """The stack `make dev` or `make dev-up` is running, if its process is alive."""
    try:
        state = json.loads((ROOT / ".dev" / "stack.json").read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return dict(state)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    running = _running_stack()
    if running:
        yield running
        return
    folder = tmp_path_factory.mktemp("stack")
    state, log = folder / "stack.json", folder / "essays-dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "essays_cli.devserver", "--port", "0", "--state-file", str(state)],
            cwd=ROOT,  # essays-dev drops the test settings it inherits
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(1200):  # sam build (the first time, the layer's wheels) and deploy: up to 5 minutes
            if state.exists() or process.poll() is not None:
                break
            time.sleep(0.25)
        if not state.exists():
            raise RuntimeError(f"the local stack did not start:\n{log.read_text()}")
        yield json.loads(state.read_text())
    finally:
        process.terminate()  # essays-dev stops the emulator and its functions
        process.wait(timeout=30)
