"""Running the service: a loopback socket, uvicorn, the discovery file, a clean stop.

:func:`serve` binds ``127.0.0.1`` only (port 0: the system picks a free one), makes the token
and the private temporary folder (``xltools-serve-*``, mode 0700), prints the page's address,
opens it in the browser unless told not to, and serves until Ctrl-C, SIGTERM or the page's
关闭服务 (``POST /api/v1/shutdown``). However it stops, the folder and the discovery file are
removed.

The discovery file ``~/.xltools/serve.json`` (mode 0600, only while the service runs) tells the
WPS 加载项 where the service is and its token: ``{"url", "port", "token", "pid", "api"}``.

Example::

    >>> with listening_socket(0) as sock:                       # doctest: +SKIP
    ...     sock.getsockname()[0]
    '127.0.0.1'
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import API_VERSION
from .security import new_token

HOST = "127.0.0.1"


class ServeError(Exception):
    """The service cannot start; ``args[0]`` is one Chinese line."""


def listening_socket(port: int) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:``port`` (0: a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name != "nt":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"无法使用端口 {port}（{exc.strerror or exc}），请换一个端口或不指定 --port。") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def discovery_path() -> Path:
    return Path.home() / ".xltools" / "serve.json"


def write_discovery(url: str, port: int, token: str) -> Path | None:
    """Write the discovery file for the WPS add-in; ``None`` when the home folder is not writable."""
    path = discovery_path()
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".serve-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"url": url, "port": port, "token": token, "pid": os.getpid(),
                       "api": API_VERSION}, fh)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return path
    except OSError:
        return None


def remove_discovery(token: str) -> None:
    """Remove the discovery file if it is still ours (another service may have started since)."""
    path = discovery_path()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("token") == token:
            path.unlink()


def serve(port: int = 0, open_browser: bool = True, out=sys.stdout, limits=None) -> int:
    """Run the service until it is stopped; returns the exit code."""
    import uvicorn

    from .app import create_app
    from .uploads import UploadLimits

    sock = listening_socket(port)
    port = sock.getsockname()[1]
    token = new_token()
    url = f"http://{HOST}:{port}/?token={token}"
    root = Path(tempfile.mkdtemp(prefix="xltools-serve-"))  # 0700: this user only
    server: uvicorn.Server | None = None

    def stop() -> None:
        if server is not None:
            server.should_exit = True

    try:
        app = create_app(token, port, root, on_shutdown=stop, limits=limits or UploadLimits())
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                server_header=False, date_header=False, timeout_graceful_shutdown=3)
        server = uvicorn.Server(config)
        write_discovery(f"http://{HOST}:{port}/", port, token)
        print(f"xltools 本地服务已启动：{url}", file=out, flush=True)
        print("请在浏览器中打开上面的网址（只能在本机访问）；按 Ctrl-C 停止服务。", file=out, flush=True)
        if open_browser:
            threading.Thread(target=_open_when_ready, args=(server, url), daemon=True).start()
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        print("xltools 本地服务已停止。", file=out, flush=True)
        return 0
    finally:
        sock.close()
        remove_discovery(token)
        shutil.rmtree(root, ignore_errors=True)


def _open_when_ready(server, url: str) -> None:
    import webbrowser

    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    with contextlib.suppress(Exception):
        webbrowser.open(url)
