"""The authorizer's settings: where it may fetch the keys that decide who reads full essays.

A JWKS URL an attacker can steer (a user name that looks like a host, a host that starts like
ours) would let them sign their own tokens, so the URL is parsed, never compared by prefix."""

from __future__ import annotations

import pytest

from shared.errors import ConfigError
from shared.settings.identity import IdentityConfig

ISSUER = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("JWKS_URL", "JWKS_HOST", "JWKS_LOCAL_EMULATOR", "TOKEN_USE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("TOKEN_AUDIENCE", "web-client-id")
    monkeypatch.setenv("SUBSCRIPTIONS_TABLE", "subscriptions")
    return monkeypatch


def test_the_key_set_defaults_to_the_issuers_well_known_url(settings: pytest.MonkeyPatch) -> None:
    assert IdentityConfig.from_env().jwks_url == ISSUER + "/.well-known/jwks.json"


@pytest.mark.parametrize(
    "url",
    [
        ISSUER + "/.well-known/jwks.json",
        "https://COGNITO-IDP.eu-west-2.amazonaws.com/eu-west-2_TestPool/.well-known/jwks.json",  # hosts ignore case
        "https://cognito-idp.eu-west-2.amazonaws.com:443/keys",
    ],
)
def test_an_https_key_set_on_the_issuers_host_is_accepted(settings: pytest.MonkeyPatch, url: str) -> None:
    settings.setenv("JWKS_URL", url)
    assert IdentityConfig.from_env().jwks_url == url


TRICKS = {
    "user name that looks like localhost": "http://127.0.0.1@attacker.example/jwks.json",
    "https user name that looks like the issuer": "https://cognito-idp.eu-west-2.amazonaws.com@attacker.example/k",
    "user and password": "https://user:pass@cognito-idp.eu-west-2.amazonaws.com/jwks.json",
    "host that starts like localhost": "http://localhost.attacker.example/jwks.json",
    "host that starts like the issuer's": "https://cognito-idp.eu-west-2.amazonaws.com.attacker.example/jwks.json",
    "host that ends like the issuer's": "https://evilcognito-idp.eu-west-2.amazonaws.com/jwks.json",
    "another host": "https://attacker.example/jwks.json",
    "plain http to the issuer's host": "http://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool/jwks.json",
    "plain http to localhost without the local setting": "http://127.0.0.1:3000/jwks.json",
    "a file": "file:///etc/passwd",
    "backslash before the host": "https://attacker.example\\@cognito-idp.eu-west-2.amazonaws.com/jwks.json",
    "a tab inside": "https://cognito-idp.eu-west-2.amazonaws.com\t.attacker.example/jwks.json",
    "no host": "https:///jwks.json",
    "a port that is not a number": "https://cognito-idp.eu-west-2.amazonaws.com:x/jwks.json",
}


@pytest.mark.parametrize("url", TRICKS.values(), ids=TRICKS.keys())
def test_a_key_set_url_an_attacker_could_steer_is_refused(settings: pytest.MonkeyPatch, url: str) -> None:
    settings.setenv("JWKS_URL", url)
    with pytest.raises(ConfigError, match="JWKS_URL"):
        IdentityConfig.from_env()


def test_a_key_set_on_another_host_needs_that_host_named(settings: pytest.MonkeyPatch) -> None:
    settings.setenv("JWKS_URL", "https://keys.example.com/jwks.json")
    with pytest.raises(ConfigError, match="JWKS_URL"):
        IdentityConfig.from_env()
    settings.setenv("JWKS_HOST", "keys.example.com")
    assert IdentityConfig.from_env().jwks_url == "https://keys.example.com/jwks.json"
    settings.setenv("JWKS_URL", "https://keys.example.com.attacker.example/jwks.json")
    with pytest.raises(ConfigError, match="JWKS_URL"):
        IdentityConfig.from_env()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3000/pool/.well-known/jwks.json", "http://localhost:8080/k", "http://[::1]:9/k"]
)
def test_the_local_emulator_setting_allows_http_on_this_machine_only(settings: pytest.MonkeyPatch, url: str) -> None:
    settings.setenv("JWKS_LOCAL_EMULATOR", "true")
    settings.setenv("JWKS_URL", url)
    assert IdentityConfig.from_env().jwks_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1@attacker.example/jwks.json",
        "http://localhost.attacker.example/jwks.json",
        "http://127.0.0.1.nip.io/jwks.json",
        "https://attacker.example/jwks.json",
        ISSUER + "/.well-known/jwks.json",  # the local setting means keys on this machine, nowhere else
    ],
)
def test_the_local_emulator_setting_never_reaches_another_machine(settings: pytest.MonkeyPatch, url: str) -> None:
    settings.setenv("JWKS_LOCAL_EMULATOR", "true")
    settings.setenv("JWKS_URL", url)
    with pytest.raises(ConfigError, match="JWKS_URL"):
        IdentityConfig.from_env()


def test_the_local_emulator_setting_is_true_or_false_and_nothing_else(settings: pytest.MonkeyPatch) -> None:
    settings.setenv("JWKS_LOCAL_EMULATOR", "yes")
    with pytest.raises(ConfigError, match="JWKS_LOCAL_EMULATOR"):
        IdentityConfig.from_env()


@pytest.mark.parametrize("issuer", [ISSUER, "https://tenant.auth0.example/"])
def test_the_issuer_is_kept_exactly_as_configured(settings: pytest.MonkeyPatch, issuer: str) -> None:
    settings.setenv("TOKEN_ISSUER", issuer)
    config = IdentityConfig.from_env()
    assert config.issuer.issuer == issuer
    assert config.jwks_url == issuer.rstrip("/") + "/.well-known/jwks.json"
