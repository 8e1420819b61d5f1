"""Calls aws-cdk-lib's kubectl handler with one event, as the Lambda Python runtime would.

Usage: python invoke-handler.py <handler dir> <event.json> <result.json>
The result file gets {"error": <message>} when the handler raised, {} otherwise.
"""
import json
import logging
import sys

handler_dir, event_file, result_file = sys.argv[1:4]
# The Lambda runtime gives the root logger a handler; without one, the handler's INFO lines
# (every kubectl and helm command it runs, and their output) would be lost.
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
sys.path.insert(0, handler_dir)

import index  # noqa: E402  (the handler's own modules are importable only from here)

with open(event_file) as f:
    event = json.load(f)
result = {}
try:
    index.handler(event, None)
except Exception as e:
    # The handler raises Exception(<kubectl or helm output as bytes>): show it as text.
    output = e.args[0] if len(e.args) == 1 and isinstance(e.args[0], bytes) else None
    result = {"error": output.decode("utf-8", errors="replace") if output else str(e)}
with open(result_file, "w") as f:
    json.dump(result, f)
