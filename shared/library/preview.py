"""The preview as it is served: the three parts' names and the "...read more" that ends each extract.

The extracts themselves are computed once by the loader (essays_cli.loading.previews) and stored.
"""

from __future__ import annotations

PARTS = ("Introduction", "Middle", "Conclusion")
READ_MORE = "...read more"


def with_read_more(extract: str) -> str:
    return f"{extract} {READ_MORE}" if extract else READ_MORE
