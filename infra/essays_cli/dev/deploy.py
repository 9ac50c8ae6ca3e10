"""template.yaml into the emulator: `sam build --config-env local` (the same makefile build as for
AWS, but the layer gets wheels for the emulator's Python on this machine instead of arm64/Python
3.12), `sam deploy --config-env local` through the emulator's CloudFormation, what the emulator
does not do as AWS does set by hand, and the sample essays loaded with `essays-seed load --stack`."""

from __future__ import annotations

from pathlib import Path

from essays_cli.aws import stack_outputs
from essays_cli.dev.local import (
    EMULATOR_PYTHON,
    LOCAL_AUTHORIZER_CACHE_TTL,
    LOCAL_FREE_ESSAYS,
    REGION,
    ROOT,
    SAM,
    STACK,
    STAGE,
    StackFailed,
    private_log,
    run_step,
)
from essays_cli.stripefake import PRICE

ARTIFACTS_BUCKET = "essay-library-local-artifacts"
LOCAL_STRIPE_KEY = "sk_test_local_offline_fake_0000000000000000"


def build_and_deploy(endpoint: str, site_url: str, log: Path, stripe_api: str) -> dict[str, str]:
    """sam build + sam deploy of template.yaml into the emulator; returns the stack's outputs."""
    import boto3

    # The Makefile's build-SharedLayer: wheels for the emulator's Python on this machine.
    build = [str(SAM), "build", "--config-env", "local"]
    run_step("sam build", build, log, PYTHON=str(EMULATOR_PYTHON), LAYER_PIP_TARGET="")
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
    run_step("sam deploy", deploy + [f"{k}={v}" for k, v in overrides.items()], log)
    return stack_outputs(boto3.client("cloudformation"), STACK)


def api_url(endpoint: str, outputs: dict[str, str]) -> str:
    """The stage's URL on the emulator (the ApiUrl output is the URL it would have on AWS)."""
    return f"{endpoint}/_aws/execute-api/{api_id(outputs)}/{STAGE}"


def api_id(outputs: dict[str, str]) -> str:
    return outputs["ApiUrl"].removeprefix("https://").split(".", 1)[0]


def set_authorizer_cache_ttl(api: str, ttl: int, log: Path) -> None:
    """The authorizers' cache TTL as the template sets it. SAM writes `ReauthorizeEvery: !Ref ...` into
    the OpenAPI body as an unresolved `Ref`, which CloudFormation resolves on AWS; ministack keeps it,
    reads it as unparsable and falls back to 300 s. Setting it here makes the local stack cache as
    AWS would with AuthorizerCacheTtl."""
    import boto3

    apigateway = boto3.client("apigateway")
    with log.open("a", encoding="utf-8") as out:
        for authorizer in apigateway.get_authorizers(restApiId=api).get("items", []):
            out.write(
                f"authorizer {authorizer['name']}: TTL {authorizer.get('authorizerResultTtlInSeconds')!r} -> {ttl}\n"
            )
            apigateway.update_authorizer(
                restApiId=api,
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


def load_samples(log: Path) -> None:
    from contextlib import redirect_stdout

    from essays_cli import seed

    samples = sorted(str(p) for p in (ROOT / "samples" / "essays").glob("*.*"))
    with private_log(log, "a") as out, redirect_stdout(out):
        status = seed.main(["load", *samples, "--stack", STACK])
    if status != 0:
        raise StackFailed(f"loading the sample essays failed; see {log}")
