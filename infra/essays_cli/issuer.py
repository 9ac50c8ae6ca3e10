"""A stand-in OIDC issuer for the benchmark and the authorizer's tests: an RSA key, its JWKS
served on 127.0.0.1, and access tokens shaped like Cognito's."""

from __future__ import annotations

import json
import time
from typing import Any

from essays_cli.localhttp import QuietHandler, serve

CLIENT_ID = "local-web-client"


class LocalIssuer:
    """Stands in for Cognito: an RSA key, its JWKS, and access tokens for the local users."""

    def __init__(self, url: str) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.url = url
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        import jwt

        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": "local-1", "use": "sig", "alg": "RS256"}]}

    def token(self, user: str, hours: int = 12) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "sub": user,
            "iss": self.url,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "iat": now,
            "exp": now + hours * 3600,
            "username": user,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "local-1"})


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 (for the benchmark and the authorizer's tests): serves
    `document`, which may be replaced at any time, and counts the requests."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document: dict[str, Any] = document or {"keys": []}
        self.requests = 0
        owner = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                self.send_json(200, owner.document)

        self.server, self.base = serve(Handler)
        self.url = f"{self.base}/.well-known/jwks.json"

    def stop(self) -> None:
        self.server.shutdown()
