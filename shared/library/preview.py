"""The preview as it is served: the three parts' names, and the "...read more" a page shows after an
extract whose `readMore` is true (the API sends the extract's text alone: each client words the link).

The extracts themselves are computed once by the loader (essays_cli.loading.previews) and stored.
"""

from __future__ import annotations

PARTS = ("Introduction", "Middle", "Conclusion")
READ_MORE = "...read more"
