"""essays-dev: the whole API on localhost, deployed from template.yaml into an embedded AWS emulator.

No AWS account, no Docker. ministack (pinned, in .venv-ministack; started by infra/emulator.py)
emulates API Gateway, Lambda (functions run as local processes), DynamoDB, Cognito, S3 and
CloudFormation with the SAM transform on 127.0.0.1. This command:

1. starts it with a fresh state;
2. `sam build --config-env local`: the same makefile build as for AWS, but the layer gets wheels
   for the emulator's Python on this machine instead of arm64/Python 3.12;
3. `sam deploy --config-env local`: the same template through the emulator's CloudFormation;
4. creates two readers in the stack's user pool (an active subscriber and a lapsed one), writes
   their subscriptions and signs them in, and a teacher (in the pool's `teachers` group) who
   reviews contributors' submissions;
5. loads the sample essays with `essays-seed load --stack`;
6. serves the site on 127.0.0.1 as the template's distribution routes it (infra/essays_cli/website.py):
   the server-rendered pages from the pages function's URL, web/'s files and client-only pages from
   disk, signing in through the emulated user pool's managed login;
7. prints the API's and the site's URLs, example requests and both readers' tokens, and stays up
   until Ctrl-C (or SIGTERM, which `make dev-down` sends), which stops the emulator and its functions.

Payments run offline: an offline fake of Stripe's two API endpoints (essays_cli.stripefake) serves
the local Checkout and portal, the webhook's signing secret is a test one made here, and

    essays-dev billing-event TYPE --user EMAIL [--status S]

sends a correctly signed event of TYPE about that reader to the local webhook (dev/billing_event.py).

Each job is a module of essays_cli/dev (see its __init__); this one puts them together.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from essays_cli.dev import billing_event
from essays_cli.dev.deploy import (
    api_id,
    api_url,
    build_and_deploy,
    load_samples,
    set_authorizer_cache_ttl,
    set_stripe_secrets,
)
from essays_cli.dev.emulator import free_port, port_taken, start_emulator, stop_emulator, use_only_the_emulator
from essays_cli.dev.local import (
    EMULATOR_PYTHON,
    LOCAL_AUTHORIZER_CACHE_TTL,
    REGION,
    SAM,
    WORK,
    StackFailed,
    make_private,
)
from essays_cli.dev.readers import TOKEN_RENEWAL, Readers, account_maker, create_readers, sign_in
from essays_cli.dev.state import print_welcome, write_state
from essays_cli.website import LocalSite, local_function_url, site_config

__all__ = ["Readers", "main", "make_private", "sign_in", "write_state"]  # what the tests and tools use


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # `make dev-down` (SIGTERM) stops as cleanly as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["billing-event"]:
        return billing_event.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="essays-dev",
        description="Run the essay API locally.",
        epilog="essays-dev billing-event TYPE --user EMAIL: a signed Stripe event to the local webhook (--help there)",
    )
    parser.add_argument("--port", type=int, default=3000, help="the emulator's port (0 picks a free one)")
    parser.add_argument("--web-port", type=int, default=0, help="the local site's port (0 picks a free one)")
    parser.add_argument("--state-file", type=Path, help="write the API's URL, the user pool and the tokens here")
    parser.add_argument("--background", action="store_true", help="started by `make dev-up`: say how to stop it")
    args = parser.parse_args(argv)

    for tool, target in ((EMULATOR_PYTHON, "the emulator"), (SAM, "sam")):
        if not tool.exists():
            print(f"essays-dev: {target} is not installed ({tool}); run `make dev`", file=sys.stderr)
            return 2
    port = args.port or free_port()
    if port_taken(port):
        print(f"essays-dev: 127.0.0.1:{port} is taken (another `make dev`?); try --port", file=sys.stderr)
        return 2
    # Everything this run writes (logs, the state file, the emulator's state with its keys and users)
    # is its owner's only: tokens pass through all of them.
    os.umask(0o077)
    make_private(sys.stdout)
    make_private(sys.stderr)
    WORK.mkdir(exist_ok=True)
    WORK.chmod(0o700)
    endpoint = f"http://127.0.0.1:{port}"
    use_only_the_emulator(endpoint)
    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    emulator = None
    try:
        site = LocalSite(args.web_port)  # bound first: the API's CORS origin and the sign-in callback name it
    except OSError as error:
        print(f"essays-dev: the site's port {args.web_port} is not free ({error}); try --web-port", file=sys.stderr)
        return 2
    from essays_cli.stripefake import FakeStripe

    stripe_api = FakeStripe()  # Stripe's Checkout and portal endpoints, offline, for the functions to call
    try:
        print(f"Starting the emulator on {endpoint}, then sam build and sam deploy (logs in .dev/)...", flush=True)
        emulator = start_emulator(port, WORK / "emulator.log")
        outputs = build_and_deploy(endpoint, site.url, WORK / "deploy.log", stripe_api.url)
        signing_secret = set_stripe_secrets(outputs)
        readers = create_readers(outputs)
        load_samples(WORK / "deploy.log")
        set_authorizer_cache_ttl(api_id(outputs), LOCAL_AUTHORIZER_CACHE_TTL, WORK / "deploy.log")
        api = api_url(endpoint, outputs)
        # The emulator serves the user pool's managed login (/oauth2/authorize, /login, /oauth2/token,
        # /logout) at its own root, where AWS has https://<domain>.auth.<region>.amazoncognito.com.
        # The site's pages come from the pages function's URL, signed as the distribution signs them.
        pages = local_function_url(outputs["PagesFunctionUrl"], endpoint)
        site.configure(
            site_config(REGION, readers.user_pool_id, readers.client_id, endpoint, site.url),
            pages,
            create_account=account_maker(readers.user_pool_id),
            api_url=api,
        )
        # The fake's Pay and Cancel buttons send their events to the stack's webhook.
        stripe_api.connect(f"{api}/billing/webhook", signing_secret)
        print(f"Up in {time.monotonic() - started:.0f} s.")
        print_welcome(api, endpoint, site.url, readers, background=args.background)
        renew_at = time.monotonic() + TOKEN_RENEWAL
        while True:
            if args.state_file:
                write_state(args.state_file, api, endpoint, site.url, readers, signing_secret)
            while time.monotonic() < renew_at:
                if emulator.poll() is not None:
                    print(f"essays-dev: the emulator stopped; see {WORK / 'emulator.log'}", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            readers, renew_at = readers.renewed(), renew_at + TOKEN_RENEWAL
    except StackFailed as failure:
        print(f"essays-dev: {failure}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"essays-dev: the emulator refused a call: {error}; see {WORK / 'emulator.log'}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping.")
        return 0
    finally:
        site.close()
        stripe_api.stop()
        if emulator is not None:
            stop_emulator(emulator, port)
        if args.state_file:
            args.state_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
