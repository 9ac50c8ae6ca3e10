"""`make mutation`'s verdict: reads `mutmut results --all true` on stdin, prints the score per
module, their totals and every surviving mutant, and exits 1 if a module is under 95% killed. With a
second argument (a file holding the run's start, epoch seconds) it prints how long the run took.

Mutants listed in the equivalents file (one per line: the mutant's name, then `#` and why it
cannot change behaviour) are not counted. Runs on the standard library only."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

THRESHOLD = 0.95
CAUGHT = {"killed", "timeout", "caught by type check", "segfault"}
NOT_COUNTED = {"skipped"}  # "not checked" counts against: a full run checks every mutant
MUTANT = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")


def module_of(name: str) -> str:
    """`shared.access.tokens.xǁJwksCacheǁkey__mutmut_3` -> `shared.access.tokens`."""
    return re.split(r"\.x(?:ǁ|_)", name, maxsplit=1)[0]


def equivalents(path: Path) -> dict[str, str]:
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip() and not line.lstrip().startswith("#"):
            if not reason.strip():
                raise SystemExit(f"{path}: {name.strip()} has no reason")
            listed[name.strip()] = reason.strip()
    return listed


def main(argv: list[str]) -> int:
    equivalent = equivalents(Path(argv[1])) if len(argv) > 1 else {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    killed_equivalents: list[str] = []
    for line in sys.stdin:
        match = MUTANT.match(line)
        if not match:
            continue
        name, status = match["name"], match["status"]
        module = module_of(name)
        if name in equivalent or status in NOT_COUNTED:
            counts[module]["equivalent"] += name in equivalent
            if name in equivalent and status == "killed":
                killed_equivalents.append(name)
            continue
        counts[module]["total"] += 1
        if status in CAUGHT:
            counts[module]["killed"] += 1
        else:
            survivors[module].append(f"{name}: {status}")
    if not counts:
        print("no mutants found: run `mutmut run` first", file=sys.stderr)
        return 1
    failed = False
    print(f"\n{'module':45} {'killed':>8} {'of':>5} {'score':>7} {'equivalent':>11}")
    for module in sorted(counts):
        c = counts[module]
        score = c["killed"] / c["total"] if c["total"] else 1.0
        failed |= score < THRESHOLD
        mark = "" if score >= THRESHOLD else f"  < {THRESHOLD:.0%}"
        print(f"{module:45} {c['killed']:>8} {c['total']:>5} {score:>7.1%} {c['equivalent']:>11}{mark}")
    total = sum(counts.values(), Counter())
    survived = total["total"] - total["killed"]
    print(
        f"\nall modules: {total['total'] + total['equivalent']} mutants, {total['killed']} killed, "
        f"{survived} survived, {total['equivalent']} listed as equivalent"
    )
    if len(argv) > 2 and Path(argv[2]).is_file():
        minutes = (time.time() - float(Path(argv[2]).read_text(encoding="utf-8").strip())) / 60
        print(f"run time: {minutes:.0f} minutes")
    for module in sorted(survivors):
        print(f"\nsurvivors in {module} (mutmut show NAME prints each):")
        for survivor in survivors[module]:
            print(f"  {survivor}")
    if any(survivor.endswith(": no tests") for listed in survivors.values() for survivor in listed):
        # mutmut maps tests to functions only for tests it has not met before
        print("\n'no tests': a new function reached by known tests only; delete mutants/mutmut-stats.json, run again")
    if killed_equivalents:
        print("\nlisted as equivalent, yet a test kills them (take them off the list):")
        for name in killed_equivalents:
            print(f"  {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
