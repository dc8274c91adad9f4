"""Reading LSP messages from standard input, robustly: a frame without ``Content-Length``, a negative or
non-numeric length, random bytes or an absurd length are skipped and the reader finds the next header.

pygls' own reader (``pygls.io_.run_async`` in 2.x) stops answering after such a frame, and a length of
``1000000000000`` makes it allocate until ``MemoryError`` ends the server, taking every diagnostic with it.
This module replaces only the reading loop; messages are handed to pygls' protocol unchanged.

Every request gets a response: a request whose params do not fit the method (pygls cannot structure it)
is answered with a JSON-RPC ``InvalidParams`` error (-32602) naming the method, instead of only a log
line while the client waits for its timeout. Notifications get no response, as JSON-RPC says, and neither
does a body that is not JSON (nothing in it says a client waits for an answer; it is logged and skipped).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.io_ import StdinAsyncReader, StdoutWriter

MAX_BODY = 64 * 1024 * 1024  # no editor sends a single message this large
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\S*)", re.IGNORECASE)
logger = logging.getLogger(__name__)


async def read_messages(stop_event, reader, protocol, error_handler=None) -> None:
    """The message loop: headers up to a blank line, then exactly ``Content-Length`` bytes of JSON."""
    length: int | None = None
    bad_frame = False
    while not stop_event.is_set():
        line = await reader.readline()
        if not line:
            break
        match = _LENGTH.search(line)
        if match:  # also found when garbage precedes the header on the same line
            try:
                value = int(match.group(1))
            except ValueError:
                value = -1
            if 0 < value <= MAX_BODY:
                length, bad_frame = value, False
            else:
                logger.error("skipping a frame with Content-Length %r", match.group(1)[:40])
                length, bad_frame = None, True
            continue
        if line.strip():
            continue  # another header (Content-Type) or bytes that are no header at all
        if length is None:
            if bad_frame:
                bad_frame = False
            continue  # a blank line without a usable length: wait for the next header
        body = await reader.readexactly(length)
        length = None
        if not body:
            break
        try:
            message = json.loads(body, object_hook=protocol.structure_message)
        except Exception as exc:  # not JSON, or params that do not fit: this frame only, with an answer
            logger.error("skipping a frame that is not a usable JSON-RPC message: %s", exc)
            answer_unusable(protocol, body, exc)
            continue
        try:
            protocol.handle_message(message)
        except Exception as exc:
            logger.exception("Unable to handle message")
            if error_handler is not None:
                error_handler(exc, JsonRpcException)


def answer_unusable(protocol, body: bytes, exc: Exception) -> None:
    """The error response for a frame pygls could not structure, when the frame is a request."""
    try:
        raw = json.loads(body)
    except Exception:
        return  # not JSON: no id to answer
    if not isinstance(raw, dict):
        return
    if "id" in raw and isinstance(raw.get("method"), str):
        method, msg_id = raw["method"], raw["id"]
        if isinstance(exc, JsonRpcInvalidParams):
            cause = exc.__cause__
            detail = _first_error(cause) if cause is not None else "they do not match the method's schema"
            error = ResponseError(code=JsonRpcInvalidParams.CODE, message=f"Invalid params for {method}: {detail}")
        else:
            error = ResponseError(code=-32603, message=f"Cannot read the request {method}: {exc}")
    else:
        return  # a notification, or a response to us: nobody waits for an answer
    try:
        protocol._send_response(msg_id, error=error)
    except Exception:  # the writer is gone: the read loop will see the end of input
        logger.exception("cannot answer an unusable message")


def _first_error(exc: BaseException) -> str:
    """The innermost message of a cattrs validation error (``'range' is required``, a wrong type)."""
    while getattr(exc, "exceptions", None):
        exc = exc.exceptions[0]
    note = next(iter(getattr(exc, "__notes__", []) or []), "")
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{text} ({note})" if note else text


def serve_stdio(server) -> None:
    """``server.start_io()`` with :func:`read_messages` as the reading loop."""
    from threading import Event

    server._stop_event = Event()
    reader = StdinAsyncReader(sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    try:
        asyncio.run(read_messages(server._stop_event, reader, server.protocol, server.report_server_error))
    except BrokenPipeError:
        logger.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
