"""Cold start: a fresh interpreter imports a handler and serves one request (`first_request`),
against bare boto3 handlers making the same first AWS calls, interleaved so that drift in the
machine's load hits every figure alike.

The measure is CPU time (the process's own, which waiting for a shared machine's cores does not
inflate) over the function's floor: a bare handler that imports boto3 and makes one GetItem, plus the
GetSecretValue of the cursor key where the function signs cursors (search, sections).

Our modules are compiled to bytecode first, as the layer ships them (`make build`): what is timed
is loading and running them, as on Lambda, not compiling them.
"""

from __future__ import annotations

import compileall
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from essays_cli.bench.common import FUNCTIONS, ROOT, event_for, median, run_program

BASELINE, BASELINE_READ = "baseline", "baseline + 1 GetItem"
BASELINE_SECRET = "baseline + 1 GetItem + 1 GetSecretValue"
BASELINES = [BASELINE, BASELINE_READ, BASELINE_SECRET]
# Each function's floor: the bare handler making the same first AWS calls (plans makes none).
FLOOR = {"search": BASELINE_SECRET, "sections": BASELINE_SECRET, "plans": BASELINE}
# CPU x floor: the authorizer verifies RS256 signatures, which needs `cryptography`.
TARGET = {"authorizer": 1.25, "plans": None}
DEFAULT_TARGET = 1.10


@dataclass(frozen=True)
class ColdStart:
    name: str
    floor: str
    wall_ms: float
    cpu_ms: float
    floor_cpu_ms: float
    wall_ratio: float  # wall clock, to the floor: the shared machine's waits inflate it
    cpu_ratio: float  # CPU, to the floor: the target's measure
    target: float | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.cpu_ratio <= self.target


def floor_of(name: str) -> str:
    return name if name in BASELINES else FLOOR.get(name, BASELINE_READ)


def cold_starts(env: dict[str, str], runs: int) -> list[ColdStart]:
    for folder in ("shared", "functions"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    rows = [*BASELINES, *FUNCTIONS]
    wall: dict[str, list[float]] = {name: [] for name in rows}
    cpu: dict[str, list[float]] = {name: [] for name in rows}
    with tempfile.TemporaryDirectory() as folder:
        programs = {BASELINE: ["baseline"], BASELINE_READ: ["baseline-read"], BASELINE_SECRET: ["baseline-secret"]}
        for name in FUNCTIONS:
            event = Path(folder) / f"{name}.json"
            event.write_text(json.dumps(event_for(name, env["TOKEN"])), encoding="utf-8")
            programs[name] = ["function", name, str(event)]
        for _ in range(runs):
            for name in rows:
                wall_ms, cpu_ms = map(float, run_program("first_request", programs[name], env).split())
                if wall_ms < 0:
                    raise RuntimeError(f"the {name} function did not answer 200/Allow in the cold-start run")
                wall[name].append(wall_ms)
                cpu[name].append(cpu_ms)
    walls = {name: median(values) for name, values in wall.items()}
    cpus = {name: median(values) for name, values in cpu.items()}
    return [
        ColdStart(
            name,
            floor_of(name),
            walls[name],
            cpus[name],
            cpus[floor_of(name)],
            walls[name] / walls[floor_of(name)],
            cpus[name] / cpus[floor_of(name)],
            None if name in BASELINES else TARGET.get(name, DEFAULT_TARGET),
        )
        for name in rows
    ]
