"""Cold start: a fresh interpreter imports a handler and serves one request (`first_request`),
against the bare baselines, interleaved so that drift in the machine's load hits every figure alike."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from essays_cli.bench.common import FUNCTIONS, event_for, median, run_program

BASELINE, BASELINE_READ = "baseline", "baseline + 1 GetItem"


def cold_starts(env: dict[str, str], runs: int) -> list[tuple[str, float, float, float]]:
    """Per row: name, median ms, ratio to the bare baseline, ratio to the baseline that makes the same GetItem."""
    rows = [BASELINE, BASELINE_READ, *FUNCTIONS]
    samples: dict[str, list[float]] = {name: [] for name in rows}
    with tempfile.TemporaryDirectory() as folder:
        events = {}
        for name in FUNCTIONS:
            events[name] = Path(folder) / f"{name}.json"
            events[name].write_text(json.dumps(event_for(name, env["TOKEN"])), encoding="utf-8")
        for _ in range(runs):
            samples[BASELINE].append(float(run_program("first_request", ["baseline"], env)))
            samples[BASELINE_READ].append(float(run_program("first_request", ["baseline-read"], env)))
            for name in FUNCTIONS:
                elapsed = float(run_program("first_request", ["function", name, str(events[name])], env))
                if elapsed < 0:
                    raise RuntimeError(f"the {name} function did not answer 200/Allow in the cold-start run")
                samples[name].append(elapsed)
    medians = {name: median(values) for name, values in samples.items()}
    bare, with_read = medians[BASELINE], medians[BASELINE_READ]
    return [(name, medians[name], medians[name] / bare, medians[name] / with_read) for name in rows]
