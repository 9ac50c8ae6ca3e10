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
    "pages",
    "session",
    "signup",
    "submissions",
    "review",
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
        "SUBMISSIONS_TABLE": "submissions",
        "UPLOADS_BUCKET": "uploads",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


# What each function loads at init, and nothing more: every module here is paid at each cold start,
# so one joins a function's list on purpose (or is imported where a request needs it).
_GROUND = {"shared.errors", "shared.observability", "shared.records"}  # the modules of shared/ itself
_READERS = {"shared.settings.environment"}  # reading the environment, checked
_EDGE = _GROUND | _READERS | {"shared.http.api", "shared.library.ids", "shared.library.bounds", "shared.settings.http"}
_DATA = {"shared.settings.tables", "shared.store.dynamo", "shared.store.clients"}  # the tables' names, the client
_CONTENT = _EDGE | _DATA | {"shared.library.models", "shared.store.rows", "shared.store.content"}
_CONTENT |= {"shared.store.schema"}
# text.py with the table of Unicode's combining marks its words are found with (5 KB, under a millisecond):
# suggest's at init, search's on its first request, the loader's
_TEXT = {"shared.library.text", "shared.library.marks"}
_ESSAYS = _CONTENT | {"shared.library.essays", "shared.library.preview"}
_DISCOVERY = _ESSAYS | {"shared.library.cursor", "shared.library.discovery"}
# the cursor key, read on the first request that pages
_PAGED = _DISCOVERY | {"shared.settings.content", "shared.store.secrets", "shared.store.cursors"}
_ACCOUNT = _DATA | {"shared.access.subscriptions", "shared.access.times", "shared.store.subscriptions"}
_METER = {"shared.settings.meter", "shared.access.meter", "shared.access.times"}  # the month's free essays
_PLANS = {"shared.library.models", "shared.access.models", "shared.access.plans"}
_STRIPE = {"shared.settings.payments", "shared.access.billing", "shared.access.stripe_api", "shared.store.secrets"}
_IDENTITY = _GROUND | _READERS | {"shared.settings.identity", "shared.access.tokens", "shared.access.policy"}
_IDENTITY |= {"shared.access.subscriptions"} | _METER  # the policy's types: an account, the meter's kinds
SHARED_AT_INIT = {
    "preview": _ESSAYS,
    "essay": _ESSAYS | _METER | _PLANS | {"shared.store.meter"},
    "related": _DISCOVERY,
    "search": _PAGED,
    "sections": _PAGED,
    "pages": _PAGED | _PLANS,  # the site's pages: the paged routes' modules and the plans
    "plans": _EDGE | _PLANS,
    "openapi": _EDGE,
    "authorizer": _IDENTITY | _ACCOUNT,
    "identity": _IDENTITY,
    "suggest": _CONTENT | _TEXT | {"shared.library.suggest"},
    "me": _EDGE | _ACCOUNT | _METER | {"shared.store.meter", "shared.library.models", "shared.access.models"},
    "billing": _EDGE | _ACCOUNT | _STRIPE | _PLANS,
    "webhook": _EDGE | _ACCOUNT | _STRIPE | _PLANS | {"shared.store.billing"},
    "session": {"shared.http.session"},  # the site's token handler: no data, no AWS SDK
    # the user pool's sign-up triggers: the address rules and their registry in the meter table
    "signup": _GROUND | _READERS | _DATA | {"shared.access.addresses", "shared.store.addresses"},
}
# contributors and teachers (issue 34): the submissions' domain and store; mammoth (the submissions
# function's) and the loader with pydantic (the review function's, to publish) only when a request needs them
_SUBMISSIONS = (
    _EDGE
    | _TEXT
    | {
        *("shared.library.anchoring", "shared.library.contributions", "shared.library.cursor", "shared.library.limits"),
        "shared.library.models",  # the annotation type anchoring makes
        *("shared.library.submissions", "shared.store.dynamo", "shared.store.secrets", "shared.store.submissions"),
        "shared.store.clients",
        *("shared.store.cursors", "shared.settings.content", "shared.settings.contributions"),
    }
)
SHARED_AT_INIT["submissions"] = (
    _SUBMISSIONS
    | _CONTENT
    | {
        *("shared.library.documents", "shared.store.uploads"),
    }
)
SHARED_AT_INIT["review"] = _SUBMISSIONS | {"shared.library.review", "shared.store.rows", "shared.store.schema"}
# Libraries beyond the standard library: the runtime's AWS SDK and its dependencies, and the authorizer's
# JWT. Never Powertools at init: its Logger is imported when a container logs its first line.
SDK = {"boto3", "botocore", "jmespath", "urllib3", "dateutil", "six", "s3transfer", "certifi"}
JWT = {"jwt", "cryptography", "_cffi_backend", "_openssl"}
# Stripe's library and its HTTP client; httpx and the rest are imported by stripe only when installed, as
# in the test environment (the layer does not install them).
STRIPE = {"stripe", "requests", "charset_normalizer", "idna", "httpx", "anyio", "click", "pygments"}
STRIPE |= {"_cython_3_3_1", "cython_runtime", "typing_extensions"}
STRIPE |= {"simplejson"}  # requests' JSON when installed: here by awslambdaric (the tests' Lambda runtime)
NOT_LIBRARIES = {"functions", "shared", "_distutils_hack"}  # ours, and a setuptools hook of the test venv


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_loads_no_module_it_does_not_need_at_init(name: str) -> None:
    modules = _imported_modules(name)
    ours = {m for m in modules if (m.startswith("shared.") and m.count(".") >= 2) or m in _GROUND}
    assert ours - SHARED_AT_INIT[name] == set(), "import it where a request needs it, or list it on purpose"
    libraries = {
        top
        for top in (m.split(".")[0] for m in modules)
        if top not in sys.stdlib_module_names and not top.startswith("__") and top not in NOT_LIBRARIES
    }
    allowed = SDK | (JWT if name in AUTHORIZERS else set()) | (STRIPE if name in BILLING else set())
    assert libraries - allowed == set()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_imports_only_what_it_needs(name: str) -> None:
    top_level = {module.split(".")[0] for module in _imported_modules(name)}
    assert not top_level & NEVER
    if name not in AUTHORIZERS:
        assert not top_level & AUTH_ONLY
    if name not in BILLING:
        assert not top_level & BILLING_ONLY  # only the billing functions talk to Stripe
    if name in ("plans", "openapi"):
        assert "botocore" not in top_level  # no data access, no AWS SDK
    if name != "review":  # botocore's clients without boto3's session (shared/store/clients.py)
        assert "boto3" not in top_level


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
