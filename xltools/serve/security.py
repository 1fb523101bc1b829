"""The guards of the local service, as one ASGI middleware around the application.

Every request must

* name the service by its loopback address in ``Host`` (``127.0.0.1:PORT`` or
  ``localhost:PORT``): a web page that points a DNS name at 127.0.0.1 (DNS rebinding) sends its
  own name and is refused;
* carry the token made at start, in the ``X-XLTools-Token`` header (the page's API calls) or the
  ``token`` query parameter (the URL the browser opens, links to static files and downloads);
* come from the service's own page when the browser says where it comes from (``Origin``).
  The one exception is the WPS 加载项, whose page is a local file (``Origin: null``): it may call
  ``/api/…`` with the token; its answers carry ``Access-Control-Allow-Origin: null``, never ``*``,
  and never credentials.

Refusals are ``403`` with one Chinese line. Every answer carries a strict Content-Security-Policy,
``Referrer-Policy: no-referrer`` (the token never leaves in a ``Referer``) and ``no-store``.

Example::

    >>> guard = Guard(app=None, token="abc", port=8000)
    >>> guard.host_ok(b"127.0.0.1:8000"), guard.host_ok(b"evil.example:8000")
    (True, False)
"""

from __future__ import annotations

import hmac
import json
import secrets
from urllib.parse import parse_qs

TOKEN_HEADER = b"x-xltools-token"
ADDIN_ORIGIN = b"null"  # a page loaded from a local file: the WPS add-in
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")


def new_token() -> str:
    """A fresh random token (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


class Guard:
    """ASGI middleware: Host, token and Origin checks; security headers on every answer."""

    def __init__(self, app, token: str, port: int):
        self.app = app
        self.token = token.encode("ascii")
        self.port = port
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}
        self.origins = {b"http://" + h for h in self.hosts}

    def host_ok(self, host: bytes | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def token_ok(self, headers: dict[bytes, bytes], query: bytes) -> bool:
        given = headers.get(TOKEN_HEADER)
        if given is None:
            values = parse_qs(query.decode("latin-1")).get("token")
            given = values[0].encode("latin-1") if values else None
        return given is not None and hmac.compare_digest(given, self.token)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # lifespan: nothing to guard
            return await self.app(scope, receive, send)
        headers: dict[bytes, bytes] = {}
        for key, value in scope.get("headers", ()):
            headers.setdefault(key.lower(), value)
        path = scope.get("path", "")
        origin = headers.get(b"origin")
        addin = origin == ADDIN_ORIGIN and path.startswith("/api/")
        if not self.host_ok(headers.get(b"host")):
            return await _refuse(send, "拒绝访问：请求的主机名不是本机地址（只接受 127.0.0.1 或 localhost）。")
        if origin is not None and origin not in self.origins and not addin:
            return await _refuse(send, "拒绝访问：请求来自其他网站。")
        if scope["method"] == "OPTIONS" and addin:  # the add-in's preflight (no token in it)
            return await _preflight(send)
        if not self.token_ok(headers, scope.get("query_string", b"")):
            return await _refuse(send, "拒绝访问：缺少或错误的访问令牌。请使用 xltools serve 启动时显示的网址。")

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [(b"content-security-policy", CSP.encode()),
                         (b"referrer-policy", b"no-referrer"),
                         (b"x-content-type-options", b"nosniff"),
                         (b"cache-control", b"no-store")]
                if addin:
                    extra += [(b"access-control-allow-origin", ADDIN_ORIGIN), (b"vary", b"Origin")]
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            return await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # a bug: one Chinese line for the page, never a traceback
            if started:
                raise
            text = f"程序内部错误（{type(exc).__name__}: {exc}）。请把这一行报告给开发者。"
            body = json.dumps({"error": text}, ensure_ascii=False).encode("utf-8")
            await send_with_headers({"type": "http.response.start", "status": 500,
                                     "headers": [(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(body)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": body})


async def _refuse(send, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


async def _preflight(send) -> None:
    await send({"type": "http.response.start", "status": 204,
                "headers": [(b"access-control-allow-origin", ADDIN_ORIGIN),
                            (b"access-control-allow-methods", b"GET, POST"),
                            (b"access-control-allow-headers", b"content-type, x-xltools-token"),
                            (b"access-control-max-age", b"600"),
                            (b"vary", b"Origin")]})
    await send({"type": "http.response.body", "body": b""})
