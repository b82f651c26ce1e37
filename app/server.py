"""The uvicorn server behind `gradlive serve`: a goodbye to every viewer on shutdown, a
client's websocket mistakes logged as one line, and small send buffers.

uvicorn closes every websocket with 1012 before the app's lifespan shutdown runs, so
viewers would never hear why. `Server.shutdown` is the hook that comes first: there the
jobs are stopped, each viewer is sent its final `stopped` status and closed (1000), and
only then does uvicorn close what is left.
"""

import socket
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

from app.jobs.manager import SHUTTING_DOWN, JobManager

GOODBYE_SECONDS = 2.0  # how long viewers get to take their last status before uvicorn closes
GOODBYE_POLL = 0.01  # seconds between two looks at how many viewers are left
# The kernel's send buffer of a websocket (Linux doubles it). Left to grow (up to 4 MB), it
# took a client that stopped reading more than a minute to fill, and until then its share
# of the send rate went to waste (a reader beside 49 such sockets: 11 messages/s instead of
# 16); at 64 KB they drop out within 10 s. 128 KB in flight still carries 20 messages/s at
# a round trip of 0.5 s.
SEND_BUFFER = 64 * 1024
# zlib's level for permessage-deflate (uvicorn leaves zlib's default, 6). Every message is
# compressed once per viewer on the event loop; a full-speed job's progress message (66 KB
# of text, mostly costs) took 1.17 ms at level 6 and 0.65 ms at level 3, for 5% more bytes.
DEFLATE_LEVEL = 3


class GracefulServer(uvicorn.Server):
    """uvicorn's server, which says goodbye to the app's viewers before it shuts down."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new connections while viewers are told
        await say_goodbye(self.app, GOODBYE_SECONDS)
        await super().shutdown(sockets)


async def say_goodbye(app: FastAPI, timeout: float) -> None:
    """Stop every job, so each viewer gets its final status; wait until their sockets close."""
    manager: JobManager | None = getattr(app.state, "manager", None)
    if manager is None:  # the app never started
        return
    manager.stop_all(SHUTTING_DOWN)
    with anyio.move_on_after(timeout):
        while manager.viewers:
            await anyio.sleep(GOODBYE_POLL)


class QuietWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol, with a client's mistakes logged as one INFO line.

    uvicorn logs a traceback at ERROR for every text frame that is not UTF-8, and an ERROR
    ("returned without completing handshake") after every handshake the app refuses with
    an HTTP answer (404, 429): one student could fill the log, and alerts on ERROR would
    fire for nothing. Should uvicorn's internals move, both fall back to its own handling.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's own permessage-deflate offer (window bits, memLevel) at DEFLATE_LEVEL.
        if self.config.ws_per_message_deflate and hasattr(self.conn, "available_extensions"):
            self.conn.available_extensions = [
                ServerPerMessageDeflateFactory(
                    server_max_window_bits=12,
                    client_max_window_bits=12,
                    compress_settings={"memLevel": 5, "level": DEFLATE_LEVEL},
                )
            ]

    def connection_made(self, transport: Any) -> None:
        """A small send buffer, so that a client who stops reading soon blocks its sends."""
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)

    def send_receive_event_to_app(self) -> None:
        frames = getattr(self, "frames", None)
        text = getattr(self, "curr_msg_data_type", None) == "text"
        if text and isinstance(frames, list) and not self.close_sent:
            try:
                b"".join(frames).decode()
            except UnicodeDecodeError:
                self.frames = []
                self._client_error("1007 (a text frame that is not UTF-8)")
                self.conn.send_close(1007, "text frames must be UTF-8")
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()

    async def send(self, message: Any) -> None:
        await super().send(message)
        refused = message["type"] == "websocket.http.response.body"
        if refused and not message.get("more_body", False):
            self.handshake_complete = True  # the refusal was the handshake's answer

    def _client_error(self, what: str) -> None:
        self.logger.info(
            '%s - "WebSocket %s" %s',
            get_client_addr(self.scope),
            get_path_with_query_string(self.scope),
            what,
        )
