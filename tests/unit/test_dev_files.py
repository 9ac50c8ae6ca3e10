"""The local stack's files hold readers' tokens: they are readable by their owner only."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from essays_cli.devserver import Readers, make_private, write_state

READERS = Readers("pool", "client", "eyJsubscriber.eyJx.sig", "eyJlapsed.eyJx.sig", ("r1", "r2"), ("p1", "p2"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_file_is_private_even_over_an_older_world_readable_one(tmp_path: Path) -> None:
    state = tmp_path / "stack.json"
    state.write_text("{}")
    state.chmod(0o644)
    write_state(
        state, "http://127.0.0.1:3000/api", "http://127.0.0.1:3000", "http://127.0.0.1:8000", READERS, "whsec_x"
    )
    assert mode(state) == 0o600
    assert json.loads(state.read_text())["subscriberToken"] == READERS.subscriber_token


def test_a_log_file_the_output_is_sent_to_becomes_private(tmp_path: Path) -> None:
    log = tmp_path / "dev.log"
    log.write_text("")
    log.chmod(0o644)  # what `> .dev/dev.log` makes under the usual umask
    with log.open("a") as out:
        make_private(out)
    assert mode(log) == 0o600
