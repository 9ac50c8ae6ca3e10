"""Ours or the library's: three pieces of plumbing we wrote, each against the well-kept library that
could do its job, timed as a cold start pays them (import + first call, in a fresh interpreter).

    python -m essays_cli.bench.libraries [--runs 15]          the table (starts its own moto server)
    python -m essays_cli.bench.libraries run NAME ARGS...     one fresh run (what the table is made of)

- the key-set cache (shared/access/tokens.py JwksCache) vs PyJWT's PyJWKClient: fetch the key set
  (from a local HTTP server), verify one RS256 token;
- the DynamoDB codec (shared/store/dynamo.py from_item) vs boto3's TypeDeserializer: decode a
  preview card and a related list into what the rows read (ints, bytes);
- the secret cache (shared/store/secrets.py) vs Powertools Parameters' get_secret: one GetSecretValue.

Each run prints wall and CPU milliseconds from the interpreter's start; the table gives medians and
the difference to the run that imports the same floor (PyJWT, or boto3) and does nothing else.
"""

from __future__ import annotations

import time

START, START_CPU = time.perf_counter(), time.process_time()

import os  # noqa: E402 - imported at interpreter start-up anyway
import sys  # noqa: E402
from typing import Any  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
KID = "bench-key"


def _elapsed() -> str:
    return f"{(time.perf_counter() - START) * 1000:.2f} {(time.process_time() - START_CPU) * 1000:.2f}"


def _card_item() -> dict[str, Any]:
    """A preview card and a related list as GetItem and BatchGetItem return them (wire format)."""
    related = [
        {
            "M": {
                "essayId": {"S": f"essay-{i}"},
                "title": {"S": f"Related essay {i}"},
                "snippet": {"S": "A short snippet " * 8},
                "rating": {"N": str(1 + i % 5)},
            }
        }
        for i in range(8)
    ]
    return {
        "pk": {"S": "ESSAY#stalin-rise-to-power"},
        "sk": {"S": "CARD"},
        "essayId": {"S": "stalin-rise-to-power"},
        "title": {"S": "How did Stalin rise to power?"},
        "sectionId": {"S": "modern-european-history"},
        "sectionName": {"S": "Modern European History, 1789-1945"},
        "level": {"S": "AS and A Level"},
        "subject": {"S": "History"},
        "wordCount": {"N": "2000"},
        "rating": {"N": "4"},
        "snippet": {"S": "Stalin's rise " * 20},
        "extractsZ": {"B": b"x" * 2500},
        "related": {"L": related},
    }


def _plain(value: object) -> object:
    """What our rows read: TypeDeserializer gives Decimal for every number and Binary for bytes."""
    from decimal import Decimal

    from boto3.dynamodb.types import Binary

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return value.__bytes__()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def run(name: str, args: list[str]) -> str:
    """One candidate, in this fresh interpreter."""
    if name == "jwt-floor":
        import jwt
    elif name == "jwt-ours":
        sys.path.insert(0, ROOT)
        from shared.access.tokens import JwksCache, TokenVerifier
        from shared.settings.identity import IssuerConfig

        url, token = args
        TokenVerifier(IssuerConfig("https://issuer.example.com", "client", None), JwksCache(url)).verify(
            "Bearer " + token
        )
    elif name == "jwt-pyjwkclient":
        import jwt

        url, token = args
        key = jwt.PyJWKClient(url, timeout=2).get_signing_key_from_jwt(token)
        jwt.decode(token, key.key, algorithms=["RS256"], issuer="https://issuer.example.com", audience="client")
    elif name == "boto3-floor":
        import boto3
    elif name == "codec-ours":
        import boto3

        sys.path.insert(0, ROOT)
        from shared.store.dynamo import from_item

        from_item(_card_item())
    elif name == "codec-boto3":
        import boto3
        from boto3.dynamodb.types import TypeDeserializer

        deserializer = TypeDeserializer()
        _plain({k: deserializer.deserialize(v) for k, v in _card_item().items()})
    elif name == "secret-ours":
        import boto3

        sys.path.insert(0, ROOT)
        from shared.store.secrets import secret_string

        secret_string(args[0])
    elif name == "secret-powertools":
        import boto3  # noqa: F401
        from aws_lambda_powertools.utilities import parameters

        parameters.get_secret(args[0], max_age=300)
    else:
        raise SystemExit(f"unknown run: {name}")
    return _elapsed()


# The pairs the table compares, each with the floor its difference is taken from.
PAIRS = (
    ("key-set cache", "jwt-floor", "jwt-ours", "jwt-pyjwkclient"),
    ("DynamoDB codec", "boto3-floor", "codec-ours", "codec-boto3"),
    ("secret cache", "boto3-floor", "secret-ours", "secret-powertools"),
)


def _token_and_jwks(folder: str) -> tuple[str, str]:
    """A signed token, and the URL of its key set served on 127.0.0.1 (PyJWKClient takes http(s) only)."""
    import functools
    import json
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path = os.path.join(folder, "jwks.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}, handle)
    quiet = type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *_: None})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()  # ends with the bench
    now = int(time.time())
    claims = {"sub": "bench", "iss": "https://issuer.example.com", "aud": "client", "iat": now, "exp": now + 3600}
    url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    return url, jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def library_costs(env: dict[str, str], secret_id: str, runs: int) -> list[tuple[str, str, float, float, str]]:
    """(what, candidate, wall ms over the floor, CPU ms over the floor, floor) medians, interleaved runs."""
    import statistics
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        url, token = _token_and_jwks(folder)
        argv = {"jwt-ours": [url, token], "jwt-pyjwkclient": [url, token]}
        argv |= {"secret-ours": [secret_id], "secret-powertools": [secret_id]}
        names = list(dict.fromkeys(name for pair in PAIRS for name in pair[1:]))
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(runs):
            for name in names:
                done = subprocess.run(
                    [sys.executable, "-m", "essays_cli.bench.libraries", "run", name, *argv.get(name, [])],
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise RuntimeError(f"the {name} run failed:\n{done.stderr[-2000:]}")
                wall_ms, cpu_ms = map(float, done.stdout.split()[-2:])
                wall[name].append(wall_ms)
                cpu[name].append(cpu_ms)
    rows = []
    for what, floor, *candidates in PAIRS:
        for name in candidates:
            rows.append(
                (
                    what,
                    name,
                    statistics.median(wall[name]) - statistics.median(wall[floor]),
                    statistics.median(cpu[name]) - statistics.median(cpu[floor]),
                    f"{floor} {statistics.median(wall[floor]):.0f} ms",
                )
            )
    return rows


def table(rows: list[tuple[str, str, float, float, str]], runs: int) -> list[str]:
    lines = [
        f"Import + first call in a fresh interpreter, over the floor both candidates import; medians of {runs} runs.",
        "",
        "| plumbing | candidate | wall ms over the floor | CPU ms over the floor | floor (median wall) |",
        "|---|---|---:|---:|---|",
    ]
    lines += [f"| {what} | {name} | {wall:+.1f} | {cpu:+.1f} | {floor} |" for what, name, wall, cpu, floor in rows]
    return lines


def main(argv: list[str]) -> None:
    if argv[:1] == ["run"]:
        print(run(argv[1], argv[2:]))
        return
    import argparse

    parser = argparse.ArgumentParser(prog="python -m essays_cli.bench.libraries")
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args(argv).runs
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "PYTHONPATH": os.pathsep.join([ROOT, os.path.join(ROOT, "infra")]),
        }
        os.environ.update(env)
        arn = boto3.client("secretsmanager").create_secret(Name="bench-cursor", SecretString="k" * 64)["ARN"]
        print("\n".join(table(library_costs(env, arn, runs), runs)))
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
