"""How the commands reach AWS, or the local emulator in its place, said once: a stack's outputs,
and the emulator's credentials (it takes any; these are the values every tool here uses)."""

from __future__ import annotations

from typing import Any

# ministack reads a 12-digit access key id as the account id; the secret is not checked.
EMULATOR_ACCESS_KEY_ID = "000000000000"
EMULATOR_SECRET_ACCESS_KEY = "local"
# The same, as a shell says them before a command (in the advice the commands print).
EMULATOR_CREDENTIALS = f"AWS_ACCESS_KEY_ID={EMULATOR_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={EMULATOR_SECRET_ACCESS_KEY}"


def emulator_environment(endpoint: str, region: str) -> dict[str, str]:
    """What every AWS client of a process (and of the tools it runs) needs to reach the emulator and
    nothing else (no profile, no real credentials)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": EMULATOR_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": EMULATOR_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def _emulator_arguments(endpoint: str, region: str) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region_name": region,
        "aws_access_key_id": EMULATOR_ACCESS_KEY_ID,
        "aws_secret_access_key": EMULATOR_SECRET_ACCESS_KEY,
    }


def emulator_client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client of the emulator at `endpoint`, whatever this process's own AWS settings."""
    import boto3

    return boto3.client(service, **_emulator_arguments(endpoint, region))  # type: ignore[call-overload]


def emulator_resource(service: str, endpoint: str, region: str) -> Any:
    """The same as a boto3 resource (a DynamoDB Table reads items as plain values)."""
    import boto3

    return boto3.resource(service, **_emulator_arguments(endpoint, region))  # type: ignore[call-overload]


class NoSuchOutput(LookupError):
    """The stack has no output of that name (an older template, or a feature turned off)."""


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """A deployed stack's outputs, by name (one DescribeStacks)."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {str(o["OutputKey"]): str(o["OutputValue"]) for o in stack.get("Outputs", [])}


def stack_output(cloudformation: Any, stack_name: str, name: str) -> str:
    """One output of a deployed stack; NoSuchOutput when it has none of that name."""
    value = stack_outputs(cloudformation, stack_name).get(name)
    if value is None:
        raise NoSuchOutput(f"the stack {stack_name} has no {name} output")
    return value
