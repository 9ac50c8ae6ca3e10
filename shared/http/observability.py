"""One place for logs, metrics and traces, configured by environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).

Tracing: the functions run with Lambda's active tracing, which records every invocation in
X-Ray with no code of ours. The Powertools Tracer (X-Ray SDK subsegments, patched boto calls)
costs about 250 ms of cold start, measured, so it is only switched on with TRACE_WITH_SDK=true,
for a debugging session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
# A default namespace: without one every metrics flush raises, failing each request.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "EssayLibrary")


def traced(handler: Callable[..., Any]) -> Callable[..., Any]:
    if os.environ.get("TRACE_WITH_SDK", "").lower() != "true":
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler, capture_response=False)
