"""app.server: the websocket protocol `gradlive serve` runs (its deflate offer)."""

import asyncio

import uvicorn
from uvicorn.server import ServerState
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

from app.main import create_app
from app.server import DEFLATE_LEVEL, QuietWebSocketProtocol


def test_websockets_are_compressed_at_the_servers_deflate_level(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADLIVE_DATA_DIR", str(tmp_path))
    config = uvicorn.Config(create_app(), ws=QuietWebSocketProtocol)
    config.load()
    loop = asyncio.new_event_loop()
    try:
        protocol = QuietWebSocketProtocol(config, ServerState(), {}, _loop=loop)
    finally:
        loop.close()
    [offer] = protocol.conn.available_extensions or []
    assert isinstance(offer, ServerPerMessageDeflateFactory)
    assert offer.compress_settings == {"memLevel": 5, "level": DEFLATE_LEVEL}
    assert (offer.server_max_window_bits, offer.client_max_window_bits) == (12, 12)
