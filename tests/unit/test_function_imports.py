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
AUTHORIZERS = {"authorizer", "identity"}
BILLING_ONLY = {"stripe", "requests"}  # Stripe's library and its HTTP client
BILLING = {"billing", "webhook"}
FUNCTIONS = [
    "preview",
    "essay",
    "related",
    "search",
    "suggest",
    "sections",
    "plans",
    "openapi",
    "authorizer",
    "identity",
    "billing",
    "me",
    "webhook",
]


def _imported_modules(name: str) -> set[str]:
    """Every module loaded by importing the function's handler, in a fresh interpreter."""
    probe = f"import functions.{name}.app, json, sys; print(json.dumps(sorted(sys.modules)))"
    env = {
        **os.environ,
        "ESSAYS_TABLE": "essays",
        "SUBSCRIPTIONS_TABLE": "subscriptions",
        "TOKEN_ISSUER": "https://issuer.example.com",
        "TOKEN_AUDIENCE": "client",
        "CURSOR_SECRET_ARN": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:cursor-AbCdEf",
        "BILLING_TABLE": "billing",
        "METER_TABLE": "meter",
        "STRIPE_SECRET_KEY_ID": "stripe-key",
        "STRIPE_WEBHOOK_SECRET_ID": "stripe-webhook",
        "STRIPE_PRICE_ID": "price_test",
        "CHECKOUT_SUCCESS_URL": "https://essays.example.com/subscribed",
        "CHECKOUT_CANCEL_URL": "https://essays.example.com/plans",
        "PORTAL_RETURN_URL": "https://essays.example.com/account",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_imports_only_what_it_needs(name: str) -> None:
    top_level = {module.split(".")[0] for module in _imported_modules(name)}
    assert not top_level & NEVER
    if name not in AUTHORIZERS:
        assert not top_level & AUTH_ONLY
    if name not in BILLING:
        assert not top_level & BILLING_ONLY  # only the billing functions talk to Stripe
    if name in ("plans", "openapi"):
        assert "boto3" not in top_level  # no data access, no AWS SDK


def test_the_layer_ships_only_modules_some_function_imports() -> None:
    """shared/ is the layer: a module no function imports (loader-only code) belongs in infra/."""
    shipped = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "shared").rglob("*.py")
    }
    imported = set().union(*(_imported_modules(name) for name in FUNCTIONS))
    assert shipped - imported == set()


def test_no_layer_module_imports_pydantic() -> None:
    for path in (ROOT / "shared").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import pydantic" not in source and "from pydantic" not in source, path
