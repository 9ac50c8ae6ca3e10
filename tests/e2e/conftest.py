"""The end-to-end suite runs against the whole local stack over HTTP: `essays-dev` started in a
subprocess on a free port (or the one `make dev-up` left in .dev/stack.json)."""

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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    running = ROOT / ".dev" / "stack.json"
    if running.exists():
        yield json.loads(running.read_text())
        return
    state = tmp_path_factory.mktemp("stack") / "stack.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ESSAYS_", "TOKEN_", "CURSOR_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "essays_cli.devserver", "--port", "0", "--state-file", str(state)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(240):
            if state.exists() or process.poll() is not None:
                break
            time.sleep(0.25)
        if not state.exists():
            process.kill()
            raise RuntimeError(f"the local stack did not start: {process.stderr.read() if process.stderr else ''}")
        yield json.loads(state.read_text())
    finally:
        process.terminate()
        process.wait(timeout=20)
