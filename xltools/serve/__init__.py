"""``xltools serve``: the local web page and the JSON API the WPS 加载项 uses.

A small Starlette application served by uvicorn on 127.0.0.1 only. It reads nothing but the
files the user uploads into a private temporary folder, and answers only requests that carry
the random token made at start and a loopback ``Host`` header (see :mod:`.security`).

Modules:

* :mod:`.security`  — token, Host and Origin checks, response headers (an ASGI middleware)
* :mod:`.uploads`   — batches of uploaded files in the private folder: safe names, limits
* :mod:`.posted`    — the cells and merged areas the WPS add-in posts → :class:`~xltools.readers.grid.Grid`
* :mod:`.wpsport`   — a :class:`~xltools.excel.port.WorkbookPort` over a posted workbook that
  records the edits for the add-in to apply (so 校验/重算 in WPS are the Excel ribbon's macros)
* :mod:`.app`       — the routes (page, static assets, ``/api/v1/…``)
* :mod:`.server`    — the listening socket, uvicorn, the discovery file, clean shutdown

Example::

    $ xltools serve
    xltools 本地服务已启动：http://127.0.0.1:53127/?token=…（按 Ctrl-C 停止）
"""

API_VERSION = "v1"
