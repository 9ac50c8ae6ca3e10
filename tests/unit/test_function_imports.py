"""Cold starts stay small: each function imports only what it needs (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEVER = {"pydantic", "aws_xray_sdk", "moto", "yaml", "tqdm", "essays_cli"}  # loader, test and tooling libraries
AUTH_ONLY = {"jwt", "cryptography"}
FUNCTIONS = ["preview", "essay", "related", "search", "sections", "plans", "openapi", "authorizer"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_imports_only_what_it_needs(name: str) -> None:
    probe = f"import functions.{name}.app, json, sys; print(json.dumps(sorted(sys.modules)))"
    env = {
        **os.environ,
        "ESSAYS_TABLE": "essays",
        "SUBSCRIPTIONS_TABLE": "subscriptions",
        "TOKEN_ISSUER": "https://issuer.example.com",
        "TOKEN_AUDIENCE": "client",
        "CURSOR_SECRET": "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    top_level = {module.split(".")[0] for module in json.loads(result.stdout)}
    assert not top_level & NEVER
    if name != "authorizer":
        assert not top_level & AUTH_ONLY
    if name in ("plans", "openapi"):
        assert "boto3" not in top_level  # no data access, no AWS SDK
