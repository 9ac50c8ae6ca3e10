"""essays-bench (`make bench`): cold start, reads per request, warm latency, bulk load and cost.

One module per measure (`cold_start`, `reads`, `warm`, `bulk`, `cost`), the local stack they run
against (`stack`), the Lambda context they hand the handlers (`context`), and the report that
prints them (`report`). The programs the measures run in
fresh interpreters are modules too, run with `python -m`: `first_request` (one cold start),
`load_run` (one bulk load) and `raw_run` (the raw write ceiling).

This package imports nothing itself: `python -m essays_cli.bench.first_request` times a cold
start, and anything imported here would be loaded before its clock starts.
"""
