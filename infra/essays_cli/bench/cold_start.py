"""Cold start: a fresh interpreter imports a handler and serves one request (`first_request`),
against the bare baselines, interleaved so that drift in the machine's load hits every figure alike.

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
BASELINE_LOGGER = "baseline + 1 GetItem + Powertools Logger"


@dataclass(frozen=True)
class ColdStart:
    name: str
    wall_ms: float
    cpu_ms: float
    ratio: float  # wall, to the bare baseline
    ratio_with_read: float  # wall, to the baseline that makes the same GetItem: the target's measure
    cpu_ratio_with_read: float


def cold_starts(env: dict[str, str], runs: int) -> list[ColdStart]:
    for folder in ("shared", "functions"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    rows = [BASELINE, BASELINE_READ, BASELINE_SECRET, BASELINE_LOGGER, *FUNCTIONS]
    wall: dict[str, list[float]] = {name: [] for name in rows}
    cpu: dict[str, list[float]] = {name: [] for name in rows}
    with tempfile.TemporaryDirectory() as folder:
        programs = {
            BASELINE: ["baseline"],
            BASELINE_READ: ["baseline-read"],
            BASELINE_SECRET: ["baseline-secret"],
            BASELINE_LOGGER: ["baseline-logger"],
        }
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
            walls[name],
            cpus[name],
            walls[name] / walls[BASELINE],
            walls[name] / walls[BASELINE_READ],
            cpus[name] / cpus[BASELINE_READ],
        )
        for name in rows
    ]
