"""What the parts of essays-dev share: where things are, the local stack's settings, and how a
step that writes a log runs (privately: tokens pass through the logs)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
WORK = ROOT / ".dev"
STATE_FILE = WORK / "stack.json"
EMULATOR_PYTHON = ROOT / ".venv-ministack" / "bin" / "python"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
REGION = "eu-west-2"
STACK = "essay-library-local"  # samconfig.toml [local]
STAGE = "local"
# Short on the local stack so a canceled reader is refused again within seconds (300 s on AWS).
LOCAL_AUTHORIZER_CACHE_TTL = 10
LOCAL_FREE_ESSAYS = 3  # the meter's free full essays a month on the local stack (0 on AWS by default)


class StackFailed(RuntimeError):
    """A step of bringing the stack up failed; the message says which and where its log is."""


def make_private(stream: Any) -> None:
    """A file this process writes to (its own stdout when `make dev-up` sends it to .dev/dev.log):
    readable by its owner only, whatever mode it was created with."""
    try:
        if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            os.fchmod(stream.fileno(), 0o600)
    except (OSError, ValueError):  # not a real file (a test's capture, a closed stream): nothing to protect
        pass


def private_log(path: Path, mode: str) -> Any:
    handle = path.open(mode, encoding="utf-8")
    make_private(handle)  # an older run's file may have been created 0644
    return handle


def run_step(step: str, command: list[str], log: Path, **settings: str) -> None:
    """Run a command of the start-up with its output appended to `log`; StackFailed if it fails."""
    with private_log(log, "a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        env = {**os.environ, **settings}
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise StackFailed(f"{step} failed (exit {result.returncode}); see {log}")
