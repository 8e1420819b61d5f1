"""Calls aws-cdk-lib's kubectl handler once per event, as the Lambda Python runtime would.

A fork server: it imports boto3 once (a fifth of a CPU second, which the handler's helm module
pays at import) and forks a child per event. The child imports the handler afresh, with the
event's environment, since the handler's modules read TEST_OUTDIR when they are imported.

Requests on stdin, one JSON object a line:
  {"id": n, "handlerDir": ..., "event": <file>, "result": <file>, "log": <file>, "env": {...}}
Replies on stdout, one JSON object a line:
  {"id": n, "pid": <child>} once forked; {"id": n, "exit": <code, or -signal>} once it ended.
The result file gets {"error": <message>} when the handler raised, {} otherwise. The server
exits when stdin closes; children still running go on.
"""
import json
import logging
import os
import select
import sys

import boto3  # noqa: F401  (imported here so that no child pays for it)


def run_event(request):
    """In the child: the event's output, environment and import of the handler; never returns."""
    code = 1
    try:
        os.setpgid(0, 0)  # its own group, so a timeout kills kubectl and helm with it
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the requests are the server's, not the handler's
        os.close(devnull)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = sys.stdout
        os.environ.clear()
        os.environ.update(request["env"])
        # The Lambda runtime gives the root logger a handler; without one, the handler's INFO
        # lines (every kubectl and helm command it runs, and their output) would be lost.
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
        sys.path.insert(0, request["handlerDir"])
        import index  # the handler's own modules are importable only from there

        with open(request["event"]) as f:
            event = json.load(f)
        result = {}
        try:
            index.handler(event, None)
        except Exception as e:
            # The handler raises Exception(<kubectl or helm output as bytes>): show it as text.
            output = e.args[0] if len(e.args) == 1 and isinstance(e.args[0], bytes) else None
            result = {"error": output.decode("utf-8", errors="replace") if output else str(e)}
        with open(request["result"], "w") as f:
            json.dump(result, f)
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        os._exit(code)


def reply(message):
    os.write(1, (json.dumps(message) + "\n").encode())


def reap(children):
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        reply({"id": children.pop(pid), "exit": os.waitstatus_to_exitcode(status)})


def serve():
    children = {}
    pending = b""
    while True:
        # One thread only (a fork beside other threads may inherit a held lock), so it polls
        # for ended children between reads.
        ready, _, _ = select.select([0], [], [], 0.05)
        if ready:
            chunk = os.read(0, 65536)
            if not chunk:
                return
            *lines, pending = (pending + chunk).split(b"\n")
            for line in filter(None, lines):
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    run_event(request)
                children[pid] = request["id"]
                reply({"id": request["id"], "pid": pid})
        reap(children)


serve()
