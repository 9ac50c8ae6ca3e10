"""The HTTP edge's settings: CORS and how long browsers and CDNs may reuse a public response."""

from __future__ import annotations

import os

from shared.records import Record
from shared.settings.environment import whole_number


class HttpConfig(Record):
    cors_allow_origin: str
    browser_max_age: int  # seconds a browser may reuse a public response
    cdn_max_age: int  # seconds a CDN / API Gateway cache may reuse it

    @classmethod
    def from_env(cls) -> HttpConfig:
        return cls(
            cors_allow_origin=os.environ.get("CORS_ALLOW_ORIGIN", "*"),
            browser_max_age=whole_number("PUBLIC_MAX_AGE", 300, 0, 86_400),
            cdn_max_age=whole_number("CDN_MAX_AGE", 3600, 0, 604_800),
        )
