"""The content functions' settings beyond their table: the key that signs pagination cursors."""

from __future__ import annotations

from shared.settings.environment import required


def cursor_secret_id() -> str:
    """The ARN of the secret that signs pagination cursors: the functions read its value at run
    time (shared/store/secrets.py), so the key never sits in their configuration."""
    return required("CURSOR_SECRET_ARN")
