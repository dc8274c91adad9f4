"""The language server survives bad framing: it skips the frame and answers the next good request."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest


def frame(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def initialize(request_id: int) -> bytes:
    return frame({"jsonrpc": "2.0", "id": request_id, "method": "initialize",
                  "params": {"processId": None, "rootUri": None, "capabilities": {}}})


GARBAGE = {
    "no content-length": b'Content-Type: application/json\r\n\r\n{"jsonrpc": "2.0", "method": "x"}',
    "negative length": b"Content-Length: -5\r\n\r\nhello",
    "non-numeric length": b"Content-Length: twelve\r\n\r\n",
    "random bytes": bytes(range(256)) * 4,
    "huge length": b"Content-Length: 1000000000000\r\n\r\n{}",
    "not json": b"Content-Length: 9\r\n\r\nnot json!",
}


def read_response(stream, timeout: float = 20.0) -> dict | None:
    out: dict = {}

    def reader() -> None:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n") and length:
                out["message"] = json.loads(stream.read(length))
                return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    return out.get("message")


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_bad_frame_is_skipped_and_the_next_request_answered(name):
    proc = subprocess.Popen([sys.executable, "-m", "toolsink", "lsp"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        proc.stdin.write(GARBAGE[name] + initialize(1))
        proc.stdin.flush()
        message = read_response(proc.stdout)
        assert message is not None, f"no answer after {name}"
        assert message.get("id") == 1 and "capabilities" in message.get("result", {})
        assert proc.poll() is None, "the server exited"
    finally:
        proc.kill()
        proc.wait()
