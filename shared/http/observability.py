"""One place for logs and traces, configured by environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL).

Logs: Powertools' Logger, structured JSON with the Lambda context, `cold_start` and, behind API
Gateway, its request id as the correlation id: the keys Powertools' `inject_lambda_context` adds.
The Logger is imported and built when a container logs its first line, not at init: importing
Powertools loads its whole package (Logger, Metrics, Tracer, typing_extensions), the largest cost
of a cold start above boto3's, and the public routes log nothing on success. `logged` records each
invocation's context so that a first line written mid-request carries the same keys.

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

import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

Handler = Callable[[Any, Any], Any]


class LazyLogger:
    """Powertools' Logger, built on first use; until then only the invocation's keys are kept."""

    def __init__(self) -> None:
        self._logger: Logger | None = None
        self._keys: dict[str, Any] = {}

    def begin_invocation(self, keys: dict[str, Any]) -> None:
        self._keys = keys
        if self._logger is not None:
            self._logger.append_keys(**keys)

    def __getattr__(self, name: str) -> Any:  # info, warning, exception...: the real Logger's
        if self._logger is None:
            from aws_lambda_powertools import Logger

            self._logger = Logger()
            self._logger.append_keys(**self._keys)
        return getattr(self._logger, name)


logger = LazyLogger()
_cold_start = True


def api_gateway_request_id(event: Mapping[str, Any]) -> str | None:
    """The correlation id of a REST API event (Powertools' `correlation_paths.API_GATEWAY_REST`)."""
    request_id = (event.get("requestContext") or {}).get("requestId")
    return request_id if isinstance(request_id, str) else None


def logged(correlation_id: Callable[[Mapping[str, Any]], str | None] | None = None) -> Callable[[Handler], Handler]:
    """Give every line an invocation logs the Lambda context, `cold_start` and (when given a way to
    find it in the event) the correlation id. Never logs the event: authorizers' events hold tokens."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_log_keys(event: Any, context: Any) -> Any:
            global _cold_start
            cold_start = _cold_start and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"
            _cold_start = False
            logger.begin_invocation(
                {
                    "cold_start": cold_start,
                    "function_name": context.function_name,
                    "function_memory_size": context.memory_limit_in_mb,
                    "function_arn": context.invoked_function_arn,
                    "function_request_id": context.aws_request_id,
                    # None drops the key from the lines, as Powertools does for a path that finds nothing
                    "correlation_id": correlation_id(event) if correlation_id else None,
                }
            )
            return handler(event, context)

        return with_log_keys

    return decorate


def traced(handler: Handler) -> Handler:
    if os.environ.get("TRACE_WITH_SDK", "").lower() != "true":
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler, capture_response=False)
