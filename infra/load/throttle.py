"""The local stage's throttling limit, lowered for `make load`'s burst and restored after it.

    python infra/load/throttle.py lower    # 2 requests per second, burst 4: cheap to go above
    python infra/load/throttle.py restore  # the template's own limits again

Only for the local stack of .dev/stack.json (127.0.0.1): the emulator serves a few requests per
second on this machine, far below the template's 200/400, and lowering the limit for good would
throttle the e2e tests and `make fuzz`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from essays_cli.aws import emulator_client
from essays_cli.template import load_template

LOWERED = {"rateLimit": "2", "burstLimit": "4"}


def main(argv: list[str]) -> None:
    stack = json.loads(Path(".dev/stack.json").read_text(encoding="utf-8"))
    if urlsplit(stack["endpointUrl"]).hostname != "127.0.0.1":
        raise SystemExit("only the local stack's throttling is changed here")
    *_, api_id, stage = urlsplit(stack["apiUrl"]).path.rstrip("/").split("/")
    if argv == ["lower"]:
        limits = LOWERED
    elif argv == ["restore"]:
        parameters = load_template()["Parameters"]
        limits = {
            "rateLimit": str(parameters["ThrottlingRateLimit"]["Default"]),
            "burstLimit": str(parameters["ThrottlingBurstLimit"]["Default"]),
        }
    else:
        raise SystemExit(__doc__)
    client = emulator_client("apigateway", stack["endpointUrl"], stack["region"])
    operations = [
        {"op": "replace", "path": f"/*/*/throttling/{name}", "value": value} for name, value in limits.items()
    ]
    client.update_stage(restApiId=api_id, stageName=stage, patchOperations=operations)
    print(f"stage {stage} throttling: {limits['rateLimit']} requests/s, burst {limits['burstLimit']}")


if __name__ == "__main__":
    main(sys.argv[1:])
