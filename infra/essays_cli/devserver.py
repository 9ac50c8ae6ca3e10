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

sends a correctly signed event of TYPE about that reader to the local webhook.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from essays_cli.stripefake import PRICE
from essays_cli.website import LocalSite, local_function_url, site_config

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".dev"
EMULATOR_PYTHON = ROOT / ".venv-ministack" / "bin" / "python"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
REGION = "eu-west-2"
STACK = "essay-library-local"  # samconfig.toml [local]
ARTIFACTS_BUCKET = "essay-library-local-artifacts"
STAGE = "local"
SUBSCRIBER, LAPSED = "subscriber@example.com", "lapsed@example.com"
TEACHER = "teacher@example.com"  # in the user pool's teachers group: the review routes and pages
# Short on the local stack so a canceled reader is refused again within seconds (300 s on AWS).
LOCAL_AUTHORIZER_CACHE_TTL = 10
LOCAL_STRIPE_KEY = "sk_test_local_offline_fake_0000000000000000"
LOCAL_FREE_ESSAYS = 3  # the meter's free full essays a month on the local stack (0 on AWS by default)
EXAMPLE_ESSAY = "stalin-rise-to-power"
TOKEN_RENEWAL = 45 * 60  # seconds; the template's client issues access tokens for 60 minutes


class StackFailed(RuntimeError):
    """A step of bringing the stack up failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Readers:
    user_pool_id: str
    client_id: str
    subscriber_token: str
    lapsed_token: str
    refresh_tokens: tuple[str, str]  # to renew both access tokens before they expire
    passwords: tuple[str, str]  # random at each start: for signing in on the local site
    teacher_id: str = ""  # the teacher's sub
    teacher_token: str = ""
    teacher_refresh_token: str = ""
    teacher_password: str = ""

    def renewed(self) -> Readers:
        """New access tokens, through the refresh-token flow the web client allows."""
        import boto3

        cognito = boto3.client("cognito-idp")
        subscriber, lapsed, teacher = (
            cognito.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
            )["AuthenticationResult"]["AccessToken"]
            if token
            else ""
            for token in (*self.refresh_tokens, self.teacher_refresh_token)
        )
        return replace(self, subscriber_token=subscriber, lapsed_token=lapsed, teacher_token=teacher)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _aws_environment(endpoint: str) -> dict[str, str]:
    """What every AWS client of this process and of the tools it runs needs to reach the emulator
    and nothing else (no profile, no real credentials)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "000000000000",  # ministack reads a 12-digit key as the account id
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "SAM_CLI_TELEMETRY": "0",
    }


def _forget_outside_settings() -> None:
    """Drop AWS and application settings this process inherited (a profile, real credentials, a
    table name): the tools it runs and the emulator's functions get only what the stack sets."""
    for name in [k for k in os.environ if k.startswith(("AWS_", "ESSAYS_", "TOKEN_", "CURSOR_"))]:
        del os.environ[name]


def make_private(stream: Any) -> None:
    """A file this process writes to (its own stdout when `make dev-up` sends it to .dev/dev.log):
    readable by its owner only, whatever mode it was created with."""
    try:
        if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            os.fchmod(stream.fileno(), 0o600)
    except (OSError, ValueError):  # not a real file (a test's capture, a closed stream): nothing to protect
        pass


def _private_log(path: Path, mode: str) -> Any:
    handle = path.open(mode, encoding="utf-8")
    make_private(handle)  # an older run's file may have been created 0644
    return handle


def _run(step: str, command: list[str], log: Path, **settings: str) -> None:
    with _private_log(log, "a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        env = {**os.environ, **settings}
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise StackFailed(f"{step} failed (exit {result.returncode}); see {log}")


def start_emulator(port: int, log: Path) -> subprocess.Popen[bytes]:
    state = WORK / f"emulator-{port}"
    shutil.rmtree(state, ignore_errors=True)  # a fresh start every time: keys, tables, users
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",  # never on the network
        "MINISTACK_HOST": "127.0.0.1",
        "MINISTACK_REGION": REGION,
        "STATE_DIR": str(state),
        "LOG_LEVEL": "WARNING",
    }
    out = _private_log(log, "w")
    emulator = subprocess.Popen(
        [str(EMULATOR_PYTHON), str(ROOT / "infra" / "emulator.py")],
        cwd=WORK,
        env=env,
        stdout=out,
        stderr=out,
        start_new_session=True,  # its own process group: stopping it stops the function processes too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if emulator.poll() is not None:
            raise StackFailed(f"the emulator exited at start; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_ministack/health", timeout=1).close()
            return emulator
        except OSError:
            time.sleep(0.25)
    stop_emulator(emulator)
    raise StackFailed(f"the emulator did not answer within 60 s; see {log}")


def stop_emulator(emulator: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(emulator.pid, sig)
            emulator.wait(timeout=10)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def build_and_deploy(endpoint: str, site_url: str, log: Path, stripe_api: str) -> dict[str, str]:
    """sam build + sam deploy of template.yaml into the emulator; returns the stack's outputs."""
    import boto3

    # The Makefile's build-SharedLayer: wheels for the emulator's Python on this machine.
    build = [str(SAM), "build", "--config-env", "local"]
    _run("sam build", build, log, PYTHON=str(EMULATOR_PYTHON), LAYER_PIP_TARGET="")
    boto3.client("s3").create_bucket(Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    overrides = {
        "Stage": STAGE,
        "CognitoEndpoint": endpoint,  # the authorizer reads the pool's JWKS from the emulator
        "CreateAlarms": "false",  # the emulator has no metrics (nor metric math) to alarm on
        "ConfigureApiGatewayLogging": "false",
        "GradualDeploys": "false",  # the emulator has no CodeDeploy: aliases are published and moved at once
        "TableDeletionProtection": "false",
        # The local static server serves the site (see the table of emulator differences in docs/development.md).
        "WebHosting": "false",
        "CorsAllowOrigin": site_url,
        "SiteCallbackUrls": f"{site_url}/callback",
        "SiteLogoutUrls": f"{site_url}/",
        "AuthorizerCacheTtl": str(LOCAL_AUTHORIZER_CACHE_TTL),
        "StripeApiBase": stripe_api,  # the offline fake of Stripe's Checkout and portal endpoints
        "StripePriceId": PRICE,
        "FreeEssaysPerMonth": str(LOCAL_FREE_ESSAYS),
        # Stripe sends readers back to the local site's own pages (never the template's example.com).
        "CheckoutSuccessUrl": f"{site_url}/subscribed?session_id={{CHECKOUT_SESSION_ID}}",
        "CheckoutCancelUrl": f"{site_url}/plans",
        "PortalReturnUrl": f"{site_url}/account",
    }
    deploy = [str(SAM), "deploy", "--config-env", "local", "--no-progressbar", "--parameter-overrides"]
    _run("sam deploy", deploy + [f"{k}={v}" for k, v in overrides.items()], log)
    stack = boto3.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def set_authorizer_cache_ttl(api_id: str, ttl: int, log: Path) -> None:
    """The authorizers' cache TTL as the template sets it. SAM writes `ReauthorizeEvery: !Ref ...` into
    the OpenAPI body as an unresolved `Ref`, which CloudFormation resolves on AWS; ministack keeps it,
    reads it as unparsable and falls back to 300 s. Setting it here makes the local stack cache as
    AWS would with AuthorizerCacheTtl."""
    import boto3

    apigateway = boto3.client("apigateway")
    with log.open("a", encoding="utf-8") as out:
        for authorizer in apigateway.get_authorizers(restApiId=api_id).get("items", []):
            out.write(
                f"authorizer {authorizer['name']}: TTL {authorizer.get('authorizerResultTtlInSeconds')!r} -> {ttl}\n"
            )
            apigateway.update_authorizer(
                restApiId=api_id,
                authorizerId=authorizer["id"],
                patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": str(ttl)}],
            )


def set_stripe_secrets(outputs: dict[str, str]) -> str:
    """A fake Stripe key and a fresh test signing secret in the stack's secrets; returns the latter."""
    import boto3

    from essays_cli.stripefake import new_signing_secret

    manager = boto3.client("secretsmanager")
    signing_secret = new_signing_secret()
    manager.put_secret_value(SecretId=outputs["StripeSecretKeyArn"], SecretString=LOCAL_STRIPE_KEY)
    manager.put_secret_value(SecretId=outputs["StripeWebhookSecretArn"], SecretString=signing_secret)
    return signing_secret


def sign_in(
    cognito: Any, pool: str, client: str, email: str, password: str | None = None, group: str | None = None
) -> tuple[str, str, str]:
    """A new reader in the pool (in `group`, before signing in, so their token names it), signed in:
    (their sub, access token, refresh token)."""
    password = password or secrets.token_urlsafe(16) + "Aa1"  # meets the pool's password policy
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    cognito.admin_create_user(UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    if group:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    user = cognito.admin_get_user(UserPoolId=pool, Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    result = signed_in["AuthenticationResult"]
    return sub, result["AccessToken"], result["RefreshToken"]


def create_readers(outputs: dict[str, str]) -> Readers:
    """Two readers in the stack's user pool, with their subscriptions: one active, one lapsed."""
    import boto3

    from shared.access.billing import operator_grant
    from shared.access.meter import open_essay
    from shared.access.subscriptions import Status, Subscription
    from shared.store.meter import MeterStore
    from shared.store.subscriptions import SubscriptionStore

    cognito = boto3.client("cognito-idp")
    pool, client = outputs["UserPoolId"], outputs["UserPoolClientId"]
    subscriptions = SubscriptionStore(outputs["SubscriptionsTableName"], boto3.client("dynamodb"))
    now = datetime.now(UTC).replace(microsecond=0)
    tokens, refresh_tokens, passwords = {}, {}, {}
    meter = MeterStore(outputs["MeterTableName"], boto3.client("dynamodb"))
    for email, status, days in ((SUBSCRIBER, Status.ACTIVE, 30), (LAPSED, Status.CANCELED, -3)):
        password = passwords[email] = secrets.token_urlsafe(16) + "Aa1"  # meets the pool's password policy
        sub, tokens[email], refresh_tokens[email] = sign_in(cognito, pool, client, email, password)
        operator_grant(subscriptions, Subscription.for_days(sub, "Monthly", status, days, now), now)
    # The lapsed reader has read this month's free essays already, so their 403 shows at once;
    # a new reader (essays-dev billing-event, the e2e tests) starts with all of them.
    for n in range(LOCAL_FREE_ESSAYS):
        open_essay(meter, sub, f"read-earlier-{n}", LOCAL_FREE_ESSAYS, now)
    refresh = (refresh_tokens[SUBSCRIBER], refresh_tokens[LAPSED])
    # The teacher: the template's teachers group, so the token's cognito:groups opens /review/*.
    teacher_password = secrets.token_urlsafe(16) + "Aa1"
    teacher_id, teacher_token, teacher_refresh = sign_in(cognito, pool, client, TEACHER, teacher_password, "teachers")
    return Readers(
        pool,
        client,
        tokens[SUBSCRIBER],
        tokens[LAPSED],
        refresh,
        (passwords[SUBSCRIBER], passwords[LAPSED]),
        teacher_id,
        teacher_token,
        teacher_refresh,
        teacher_password,
    )


def account_maker(pool: str) -> Any:
    """What the local site's "Create an account" form calls: a reader in the emulator's pool, e-mail
    verified (on AWS the managed login's sign-up verifies it with a code). An error in readers'
    words, or None."""
    import boto3

    cognito = boto3.client("cognito-idp")

    def create(email: str, password: str) -> str | None:
        if "@" not in email or len(email) > 200:
            return "Please give an e-mail address."
        try:
            attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
            cognito.admin_create_user(
                UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "UsernameExistsException":
                return "There is already an account with that e-mail address: sign in instead."
            return "That account could not be created; please try other details."
        try:
            cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
        except ClientError:
            cognito.admin_delete_user(UserPoolId=pool, Username=email)
            return "That password is too simple: use 12 characters or more, with upper and lower case and a digit."
        return None

    return create


def load_samples(log: Path) -> None:
    from contextlib import redirect_stdout

    from essays_cli import seed

    samples = sorted(str(p) for p in (ROOT / "samples" / "essays").glob("*.*"))
    with _private_log(log, "a") as out, redirect_stdout(out):
        status = seed.main(["load", *samples, "--stack", STACK])
    if status != 0:
        raise StackFailed(f"loading the sample essays failed; see {log}")


def _print_welcome(api: str, endpoint: str, site_url: str, readers: Readers, *, background: bool = False) -> None:
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
    print("  (a token's access decision is cached 10 s here: `make dev-tokens` after a change, or wait)")
    print("\nMore essays into the same stack (the emulator takes any credentials; these are its values):\n")
    print("  AWS_ACCESS_KEY_ID=000000000000 AWS_SECRET_ACCESS_KEY=local .venv/bin/essays-seed load my-essays.csv \\")
    print(f"    --stack {STACK} --endpoint-url {endpoint} --region {REGION}")
    stop = "`make dev-down` stops it" if background else "Ctrl-C stops everything"
    print(f"\nState in .dev/stack.json, logs in .dev/ (deploy.log, emulator.log). {stop}.\n", flush=True)


def write_state(path: Path, api: str, endpoint: str, site_url: str, readers: Readers, signing_secret: str = "") -> None:
    state = {
        "apiUrl": api,
        "webUrl": site_url,
        "siteApiUrl": f"{site_url}/api",  # the same API on the site's origin, cached as CloudFront caches it
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


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # `make dev-down` (SIGTERM) stops as cleanly as Ctrl-C


def billing_event(argv: list[str]) -> int:
    """essays-dev billing-event TYPE --user EMAIL [--status S]: a signed Stripe event to the local webhook."""
    import boto3

    from essays_cli.stripefake import EVENT_TYPES, Reader, event_for, signed

    parser = argparse.ArgumentParser(
        prog="essays-dev billing-event", description="Send a signed Stripe event about a local reader."
    )
    parser.add_argument("type", choices=EVENT_TYPES)
    parser.add_argument("--user", required=True, help="the reader's email in the local user pool")
    parser.add_argument("--status", help="the subscription's status (subscription events; default active/canceled)")
    parser.add_argument("--state-file", type=Path, default=WORK / "stack.json")
    args = parser.parse_args(argv)
    try:
        state = json.loads(args.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"essays-dev: no local stack ({args.state_file}); start one with `make dev-up`", file=sys.stderr)
        return 2
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=state["endpointUrl"],
        region_name=state["region"],
        aws_access_key_id="000000000000",
        aws_secret_access_key="local",
    )
    try:
        user = cognito.admin_get_user(UserPoolId=state["userPoolId"], Username=args.user)
    except ClientError:
        print(f"essays-dev: no reader {args.user} in the local user pool", file=sys.stderr)
        return 2
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    body = json.dumps(event_for(args.type, Reader(sub), status=args.status))
    request = urllib.request.Request(
        state["webhookUrl"],
        data=body.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(body, state["stripeWebhookSecret"])},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, answer = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read().decode()
    print(f"{args.type} for {args.user} ({sub}): {status} {answer}")
    return 0 if status == 200 else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["billing-event"]:
        return billing_event(argv[1:])
    parser = argparse.ArgumentParser(prog="essays-dev", description="Run the essay API locally.")
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
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
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
    _forget_outside_settings()
    os.environ.update(_aws_environment(endpoint))
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
        # The stage's URL on the emulator (the ApiUrl output is the URL it would have on AWS).
        api_id = outputs["ApiUrl"].removeprefix("https://").split(".", 1)[0]
        set_authorizer_cache_ttl(api_id, LOCAL_AUTHORIZER_CACHE_TTL, WORK / "deploy.log")
        api = f"{endpoint}/_aws/execute-api/{api_id}/{STAGE}"
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
        _print_welcome(api, endpoint, site.url, readers, background=args.background)
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
            stop_emulator(emulator)
            shutil.rmtree(WORK / f"emulator-{port}", ignore_errors=True)
        if args.state_file:
            args.state_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
