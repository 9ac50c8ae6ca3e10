"""`make mutation`'s verdict (infra/mutation_report.py), run as the Makefile runs it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "infra" / "mutation_report.py"


def _report(results: str, equivalents: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    listed = tmp_path / "equivalents.txt"
    listed.write_text(equivalents, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(REPORT), str(listed)], input=results, capture_output=True, text=True, check=False
    )


def _rows(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.startswith("shared.")}


def test_scores_per_module_count_timeouts_as_caught_and_leave_equivalents_out(tmp_path: Path) -> None:
    results = "".join(f"    shared.a.x_f__mutmut_{i}: killed\n" for i in range(19)) + (
        "    shared.a.x_f__mutmut_19: timeout\n"
        "    shared.a.x_f__mutmut_20: survived\n"
        "    shared.b.xǁCǁm__mutmut_1: killed\n"
    )
    done = _report(results, "shared.a.x_f__mutmut_20 # log text only\n", tmp_path)
    assert done.returncode == 0, done.stdout
    assert _rows(done.stdout) == {"shared.a": ["20", "20", "100.0%", "1"], "shared.b": ["1", "1", "100.0%", "0"]}


def test_a_module_under_95_percent_fails_and_names_its_survivors(tmp_path: Path) -> None:
    results = "".join(f"    shared.a.x_f__mutmut_{i}: killed\n" for i in range(18)) + (
        "    shared.a.x_f__mutmut_18: survived\n    shared.a.x_f__mutmut_19: not checked\n"
    )
    done = _report(results, "", tmp_path)
    assert done.returncode == 1
    assert _rows(done.stdout)["shared.a"] == ["18", "20", "90.0%", "0", "<", "95%"]
    assert "  shared.a.x_f__mutmut_18: survived" in done.stdout.splitlines()
    assert "  shared.a.x_f__mutmut_19: not checked" in done.stdout.splitlines()


def test_mutants_without_tests_and_killed_equivalents_are_pointed_out(tmp_path: Path) -> None:
    results = "    shared.a.x_f__mutmut_1: no tests\n    shared.a.x_f__mutmut_2: killed\n"
    done = _report(results, "shared.a.x_f__mutmut_2 # thought equivalent\n", tmp_path)
    assert done.returncode == 1
    assert "delete mutants/mutmut-stats.json" in done.stdout
    assert done.stdout.splitlines()[-1] == "  shared.a.x_f__mutmut_2"


def test_an_equivalent_without_a_reason_is_refused(tmp_path: Path) -> None:
    done = _report("    shared.a.x_f__mutmut_1: survived\n", "shared.a.x_f__mutmut_1\n", tmp_path)
    assert done.returncode != 0 and "has no reason" in done.stderr


def test_the_totals_and_the_run_time_are_printed(tmp_path: Path) -> None:
    results = (
        "    shared.a.x_f__mutmut_1: killed\n    shared.a.x_f__mutmut_2: survived\n"
        "    shared.b.x_g__mutmut_1: timeout\n    shared.b.x_g__mutmut_2: survived\n"
    )
    started = tmp_path / "started"
    started.write_text(f"{time.time() - 125 * 60:.0f}\n", encoding="utf-8")
    listed = tmp_path / "equivalents.txt"
    listed.write_text("shared.b.x_g__mutmut_2 # log text only\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REPORT), str(listed), str(started)],
        input=results,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1  # shared.a: 1 of 2
    assert "all modules: 4 mutants, 2 killed, 1 survived, 1 listed as equivalent" in done.stdout
    assert "run time: 125 minutes" in done.stdout
