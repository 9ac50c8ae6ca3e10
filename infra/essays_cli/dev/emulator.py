"""The embedded AWS emulator (ministack, pinned in .venv-ministack; infra/emulator.py starts it):
started fresh on 127.0.0.1, stopped with every function process it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from essays_cli.aws import emulator_environment
from essays_cli.dev.local import EMULATOR_PYTHON, REGION, ROOT, WORK, StackFailed, private_log


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def use_only_the_emulator(endpoint: str) -> None:
    """Drop the AWS and application settings this process inherited (a profile, real credentials, a
    table name), then point every AWS client of this process, and of the tools it runs, at the
    emulator: they get only what the stack sets."""
    for name in [k for k in os.environ if k.startswith(("AWS_", "ESSAYS_", "TOKEN_", "CURSOR_"))]:
        del os.environ[name]
    os.environ.update(emulator_environment(endpoint, REGION))
    os.environ["SAM_CLI_TELEMETRY"] = "0"


def state_dir(port: int) -> Path:
    return WORK / f"emulator-{port}"


def start_emulator(port: int, log: Path) -> subprocess.Popen[bytes]:
    state = state_dir(port)
    shutil.rmtree(state, ignore_errors=True)  # a fresh start every time: keys, tables, users
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",  # never on the network
        "MINISTACK_HOST": "127.0.0.1",
        "MINISTACK_REGION": REGION,
        "STATE_DIR": str(state),
        "LOG_LEVEL": "WARNING",
    }
    out = private_log(log, "w")
    emulator = subprocess.Popen(
        [str(EMULATOR_PYTHON), str(ROOT / "infra" / "emulator.py")],
        cwd=WORK,
        env=env,
        stdout=out,
        stderr=out,
        start_new_session=True,  # its own process group: stopping it stops the function processes too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if emulator.poll() is not None:
            raise StackFailed(f"the emulator exited at start; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_ministack/health", timeout=1).close()
            return emulator
        except OSError:
            time.sleep(0.25)
    stop_emulator(emulator, port)
    raise StackFailed(f"the emulator did not answer within 60 s; see {log}")


def stop_emulator(emulator: subprocess.Popen[bytes], port: int) -> None:
    """Stop the emulator's process group (its functions too) and drop its state (keys, users)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(emulator.pid, sig)
            emulator.wait(timeout=10)
            break
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    shutil.rmtree(state_dir(port), ignore_errors=True)
