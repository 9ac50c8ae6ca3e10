"""One place for logs and traces, configured by environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL).

Logs: Powertools' Logger, structured JSON with the Lambda context and API Gateway's request id
as the correlation id.

Metrics: none of our own. API Gateway already counts requests, 4xx and 5xx per stage (the
alarms use those), and Lambda reports each cold start's init duration; Powertools' Metrics
repeated them at the price of a flush (an EMF document printed and ingested into CloudWatch
Logs) on every request.

Tracing: the functions run with Lambda's active tracing, which records every invocation in
X-Ray with no code of ours. The Powertools Tracer (X-Ray SDK subsegments, patched boto calls)
costs about 250 ms of cold start, measured, so it is only switched on with TRACE_WITH_SDK=true,
for a debugging session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger()


def traced(handler: Callable[..., Any]) -> Callable[..., Any]:
    if os.environ.get("TRACE_WITH_SDK", "").lower() != "true":
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler, capture_response=False)
