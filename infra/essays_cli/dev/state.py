"""What essays-dev tells: the welcome it prints (URLs, example requests, the readers' tokens) and
the state file other tools read (.dev/stack.json: the make targets, the e2e tests, billing-event)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from essays_cli.aws import EMULATOR_CREDENTIALS
from essays_cli.dev.local import LOCAL_AUTHORIZER_CACHE_TTL, LOCAL_FREE_ESSAYS, REGION, STACK
from essays_cli.dev.readers import LAPSED, SUBSCRIBER, TEACHER, Readers
from essays_cli.stripefake import PRICE
from essays_cli.website import INVALIDATION_PATH

EXAMPLE_ESSAY = "stalin-rise-to-power"


def print_welcome(api: str, endpoint: str, site_url: str, readers: Readers, *, background: bool = False) -> None:
    print(f"\nThe essay site is at\n\n  {site_url}/essays/{EXAMPLE_ESSAY}\n")
    print(f"Its pages are whole without scripts, as crawlers read them: curl -s {site_url}/robots.txt\n")
    print("Sign in on it (the emulator's managed login) as either reader:\n")
    print(f"  {SUBSCRIBER}  {readers.passwords[0]}   (active subscription)")
    print(f"  {LAPSED}      {readers.passwords[1]}   (lapsed)")
    print(f"  {TEACHER}     {readers.teacher_password}   (a teacher: reviews submissions at {site_url}/review)\n")
    print(f"or make a new reader (three free essays a month) at {site_url}/auth/signup, then Subscribe:")
    print("the offline Stripe's payment page has Pay and Cancel, and its portal Cancel subscription.\n")
    print(f"The essay API (template.yaml, deployed into the local emulator) is up at\n\n  {api}\n")
    print("and on the site's origin, as CloudFront serves it (public reads cached by their s-maxage;")
    print(f"X-Cache says Hit or Miss), at\n\n  {site_url}/api\n\nTry:\n")
    for example in (
        f"/essays/{EXAMPLE_ESSAY}/preview",
        f"/essays/{EXAMPLE_ESSAY}/related?limit=3",
        "/search?q=revolution%20causes",
        "/search/suggest?q=stalin%20ri",
        "/sections",
        "/plans",
        "/openapi.json",
    ):
        print(f"  curl -s '{api}{example}'")
    print(f"\nFull essays need a subscriber's token ({SUBSCRIBER} / {LAPSED}; valid 60 minutes,")
    print("renewed every 45 in .dev/stack.json: `make dev-tokens` prints the current ones):\n")
    print(f"  SUBSCRIBER_TOKEN={readers.subscriber_token}\n")
    print(f"  LAPSED_TOKEN={readers.lapsed_token}\n")
    essay = f"{api}/essays/{EXAMPLE_ESSAY}"
    print(f"  curl -s -H \"Authorization: Bearer $SUBSCRIBER_TOKEN\" '{essay}'   # 200")
    print(f"  curl -s -H \"Authorization: Bearer $LAPSED_TOKEN\" '{essay}'       # 403")
    print(f"  curl -s '{essay}'                                                  # 401")
    print("\nPayments, offline (a fake Stripe; events signed with the stack's test secret):\n")
    print(f"  curl -s -X POST -H \"Authorization: Bearer $LAPSED_TOKEN\" '{api}/checkout'        # a Checkout URL")
    print(f"  curl -s -H \"Authorization: Bearer $LAPSED_TOKEN\" '{api}/me/subscription'")
    print(f"  .venv/bin/essays-dev billing-event customer.subscription.created --user {LAPSED}")
    print(f"  .venv/bin/essays-dev billing-event customer.subscription.deleted --user {LAPSED}")
    ttl = LOCAL_AUTHORIZER_CACHE_TTL
    print(f"  (a token's access decision is cached {ttl} s here: `make dev-tokens` after a change, or wait)")
    print("\nMore essays into the same stack (the emulator takes any credentials; these are its values):\n")
    print(f"  {EMULATOR_CREDENTIALS} .venv/bin/essays-seed load my-essays.csv \\")
    print(f"    --stack {STACK} --endpoint-url {endpoint} --region {REGION}")
    stop = "`make dev-down` stops it" if background else "Ctrl-C stops everything"
    print(f"\nState in .dev/stack.json, logs in .dev/ (deploy.log, emulator.log). {stop}.\n", flush=True)


def write_state(path: Path, api: str, endpoint: str, site_url: str, readers: Readers, signing_secret: str = "") -> None:
    state = {
        "apiUrl": api,
        "webUrl": site_url,
        "siteApiUrl": f"{site_url}/api",  # the same API on the site's origin, cached as CloudFront caches it
        "edgeInvalidationUrl": f"{site_url}{INVALIDATION_PATH}",  # the loader forgets what it changed here
        "webhookUrl": f"{api}/billing/webhook",
        "stripeWebhookSecret": signing_secret,
        "stripePriceId": PRICE,  # the local plan's price: the one checkout charges and the webhook counts
        "authorizerCacheTtl": LOCAL_AUTHORIZER_CACHE_TTL,
        "freeEssaysPerMonth": LOCAL_FREE_ESSAYS,
        "region": REGION,
        "endpointUrl": endpoint,
        "stackName": STACK,
        "userPoolId": readers.user_pool_id,
        "userPoolClientId": readers.client_id,
        "subscriberToken": readers.subscriber_token,
        "lapsedToken": readers.lapsed_token,
        "subscriberEmail": SUBSCRIBER,
        "subscriberPassword": readers.passwords[0],
        "lapsedEmail": LAPSED,
        "lapsedPassword": readers.passwords[1],
        "teacherToken": readers.teacher_token,
        "teacherId": readers.teacher_id,
        "teacherEmail": TEACHER,
        "teacherPassword": readers.teacher_password,
        "pid": os.getpid(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    # Readable by its owner only (it holds the readers' tokens), from the first byte written.
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write(json.dumps(state, indent=2) + "\n")
    temporary.replace(path)  # readers never see a half-written file


def read_state(path: Path) -> dict[str, object] | None:
    """The running local stack's state, or None when there is none."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None
