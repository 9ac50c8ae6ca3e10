"""One account per e-mail address, so the free essays of the meter go only to accounts that cost
something to make. Cognito already makes every reader confirm their address before they can sign
in (the pool's AutoVerifiedAttributes); this adds that an address counts once however it is spelt:
case, and the dots and +tags that common providers deliver to the same mailbox, are folded.

Pure logic; the registry of claimed addresses is shared/store/addresses.py, the Cognito triggers
that use it functions/signup."""

from __future__ import annotations

import hashlib
from typing import Protocol

# Providers whose mailboxes ignore +tags (and, for Gmail, dots in the local part).
_PLUS_TAGS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "fastmail.com",
    "yandex.ru",
    "yandex.com",
}
_DOTLESS = {"gmail.com", "googlemail.com"}
_SAME_MAILBOX = {"googlemail.com": "gmail.com"}
_HYPHEN_TAGS = {"yahoo.com", "yahoo.co.uk", "ymail.com"}  # Yahoo's disposable addresses: name-tag@


class AddressTaken(Exception):
    """Another account already uses this address (however spelt)."""

    def __init__(self) -> None:
        super().__init__("An account with this e-mail address already exists. Sign in instead, or reset your password.")


def normalised_email(address: str) -> str:
    """The mailbox an address delivers to: `J.Smith+essays@GoogleMail.com` -> `jsmith@gmail.com`."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or not local or not domain:
        raise ValueError("not an e-mail address")
    domain = _SAME_MAILBOX.get(domain, domain)
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in _HYPHEN_TAGS:
        local = local.split("-", 1)[0]
    if domain in _DOTLESS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def address_key(address: str) -> str:
    """What the registry stores: a hash of the normalised address, so it holds no address itself."""
    return hashlib.sha256(normalised_email(address).encode()).hexdigest()


class Registry(Protocol):
    def owner(self, key: str) -> str | None: ...
    def claim(self, key: str, user: str) -> str:
        """Record `user` as the address's owner unless it has one; the owner, either way."""
        ...


def check_new_account(registry: Registry, address: str, user: str) -> None:
    """Before a sign-up: AddressTaken if another account already owns the address."""
    owner = registry.owner(address_key(address))
    if owner is not None and owner != user:
        raise AddressTaken()


def confirm_account(registry: Registry, address: str, user: str) -> bool:
    """After a confirmed sign-up: the account owns its address. False when another confirmed first
    (two sign-ups raced past the check): that account gets no free essays (see the meter)."""
    return registry.claim(address_key(address), user) == user
