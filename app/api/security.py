"""Headers that keep the pages safe in a browser: every response says nosniff and a
Referrer-Policy; an HTML page also gets a Content-Security-Policy that allows only this
server's scripts and the page's own inline scripts by hash (no 'unsafe-inline')."""

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def content_security_policy(html: bytes, frame_ancestors: str) -> str:
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",  # Plotly and Swagger UI style their nodes
            "img-src 'self' data: blob:",
            "connect-src 'self'",  # the API and, in CSP 3, this host's websockets
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: the headers above; an HTML body is read whole to hash its scripts."""

    def __init__(self, app: ASGIApp, frame_ancestors: str) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = b""

        async def send_with_headers(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if not headers.get("content-type", "").startswith("text/html"):
                    await send(message)
                    return
                start = message  # held until the whole page is read
                return
            if start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            headers = MutableHeaders(scope=start)
            headers["Content-Security-Policy"] = content_security_policy(body, self.frame_ancestors)
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_headers)
