"""The pagination cursors' codec, keyed by the cursor secret (search, sections and the site's pages)."""

from __future__ import annotations

from shared.library.cursor import MAX_CURSOR_AGE, CursorCodec
from shared.store.secrets import previous_secret_string, secret_string


def signed_cursors(secret_id: str) -> CursorCodec:
    """Cursors signed with the secret's value, read at run time (at most SECRETS_MAX_AGE_MINUTES old),
    and still verified with the value a rotation replaced while a cursor it signed may be alive."""
    return CursorCodec(
        lambda: secret_string(secret_id),
        previous=lambda: previous_secret_string(secret_id, MAX_CURSOR_AGE),
    )
