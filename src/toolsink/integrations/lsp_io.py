"""Reading LSP messages from standard input, robustly: a frame without ``Content-Length``, a negative or
non-numeric length, random bytes or an absurd length are skipped and the reader finds the next header.

pygls' own reader (``pygls.io_.run_async`` in 2.x) stops answering after such a frame, and a length of
``1000000000000`` makes it allocate until ``MemoryError`` ends the server, taking every diagnostic with it.
This module replaces only the reading loop; messages are handed to pygls' protocol unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys

from pygls.exceptions import JsonRpcException
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
        except Exception as exc:  # not JSON, or not a JSON-RPC message: this frame only
            logger.error("skipping a frame that is not a JSON-RPC message: %s", exc)
            continue
        try:
            protocol.handle_message(message)
        except Exception as exc:
            logger.exception("Unable to handle message")
            if error_handler is not None:
                error_handler(exc, JsonRpcException)


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
