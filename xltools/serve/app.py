"""The routes of ``xltools serve``: the page, its static files and the versioned JSON API.

Every route sits behind :class:`~.security.Guard` (token, Host, Origin). The API (``/api/v1``,
documented in docs/api.md) computes with the same code as the command line: files go through
:func:`xltools.pipeline.check_files`, the answer is the ``check --json`` document
(:mod:`xltools.writers.json_doc`), the 部门汇总 is :func:`xltools.writers.summary_workbook.write_summary`
— so the page shows the same findings, numbers and Chinese messages as ``xltools check``.

========================================  ===================================================
``GET  /``                                the page (Chinese)
``GET  /static/{app.js,style.css}``        its script and style sheet
``GET  /api/v1/health``                   ``{"ok": true, "api": "v1", "version": …}``
``GET  /api/v1/rulepacks``                the built-in rule packs
``POST /api/v1/batches``                  a new batch (private folder) → ``{"id": …}``
``PUT  /api/v1/batches/{id}/files?path=``  one file's bytes (``path``: its relative name)
``POST /api/v1/batches/{id}/check``        check the batch; NDJSON: progress lines, then the result
``GET  /api/v1/batches/{id}/summary.xlsx`` the 部门汇总 workbook
``GET  /api/v1/batches/{id}/findings.xlsx`` the findings as a workbook
``GET  /api/v1/batches/{id}/report.docx`` the draft 绩效自评报告 (:mod:`xltools.writers.report_draft`)
``DELETE /api/v1/batches/{id}``            remove the batch's files now
``POST /api/v1/check-grid``               a workbook posted by the WPS add-in: findings + edits
``POST /api/v1/shutdown``                 stop the service (the page's 关闭服务 button)
========================================  ===================================================
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import threading
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from . import API_VERSION
from .security import Guard
from .uploads import Batches, UploadError, UploadLimits

RULEPACKS = (("national", "全国规则包（默认）"), ("platform_example", "某省一体化平台示例规则"))
STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
SUMMARY_FILE = ".xltools-部门汇总.xlsx"  # hidden names: never taken for an uploaded form
FINDINGS_FILE = ".xltools-问题清单.xlsx"
REPORT_FILE = ".xltools-绩效自评报告.docx"
DOWNLOAD_NAMES = {"summary.xlsx": (SUMMARY_FILE, "部门汇总.xlsx"),
                  "findings.xlsx": (FINDINGS_FILE, "问题清单.xlsx"),
                  "report.docx": (REPORT_FILE, "绩效自评报告.docx")}
MEDIA_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class ApiError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _static_text(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


# --- rule packs ---------------------------------------------------------------------------------


def load_pack(choice: Any, toml_text: Any, scratch: Path):
    """The rule pack a request asks for: a built-in name, or an uploaded TOML text.

    An uploaded pack may ``extends`` a built-in pack only (never a path: the service reads no
    file it was not given). Returns ``(pack, rules)`` where ``rules`` is what the Excel macros'
    configuration holds (the name, or the uploaded file's path in the private folder)."""
    from ..core.rulepack import RulePackError, load_rulepack

    builtin = {name for name, _ in RULEPACKS}
    if toml_text not in (None, ""):
        if not isinstance(toml_text, str):
            raise ApiError("规则包应为 TOML 文本。")
        if len(toml_text.encode("utf-8")) > UploadLimits().max_rules_bytes:
            raise ApiError("规则包文件过大。", 413)
        try:
            parent = tomllib.loads(toml_text).get("extends")
        except tomllib.TOMLDecodeError as exc:
            raise ApiError(f"上传的规则包不是有效的 TOML：{exc}。") from None
        if parent is not None and parent not in builtin:
            raise ApiError("上传的规则包只能 extends 内置规则包（national 或 platform_example）。")
        path = scratch / "上传的规则包.toml"
        path.write_text(toml_text, encoding="utf-8")
        rules = str(path)
    else:
        rules = choice or "national"
        if rules not in builtin:
            raise ApiError(f"规则包“{rules}”不存在（内置规则包：national、platform_example）。")
    try:
        return load_rulepack(rules), rules
    except RulePackError as exc:
        text = str(exc.args[0] if exc.args else exc)
        raise ApiError(text.replace(str(scratch / "上传的规则包.toml"), "上传的规则包")) from None


async def _json_body(request: Request, limit: int) -> dict:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(f"请求内容超过 {limit // (1024 * 1024)} MB 的上限。", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(f"请求内容超过 {limit // (1024 * 1024)} MB 的上限。", 413)
    try:
        data = json.loads(bytes(body).decode("utf-8")) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError("请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise ApiError("请求内容应为 JSON 对象。")
    return data


# --- the results of a batch ---------------------------------------------------------------------


def _relative(value: Any, prefix: str) -> Any:
    """Every text in a JSON value with the private folder's prefix taken out."""
    if isinstance(value, str):
        return value.replace(prefix, "") if prefix in value else value
    if isinstance(value, list):
        return [_relative(v, prefix) for v in value]
    if isinstance(value, dict):
        return {k: _relative(v, prefix) for k, v in value.items()}
    return value


def check_batch(folder: Path, pack, progress: Callable[[int, int], None]) -> dict:
    """Check every file of a batch folder and write its two workbooks and the draft report; the
    page's result."""
    from ..pipeline import check_files
    from ..writers import rows as R
    from ..writers.findings_workbook import write_findings
    from ..writers.json_doc import finding_to_json, to_json
    from ..writers.summary_workbook import pairs_of, write_summary

    report = check_files([str(folder)], pack, workers=1, progress=progress)
    results, finding_pairs = pairs_of(report)
    downloads = {}
    if results:
        write_summary(report, folder / SUMMARY_FILE, pack=pack)
        downloads["summary"] = "summary.xlsx"
        from ..writers.report_draft import write_report_docx

        write_report_docx(report, folder / REPORT_FILE, pack=pack)
        downloads["report"] = "report.docx"
    write_findings(finding_pairs, folder / FINDINGS_FILE)
    downloads["findings"] = "findings.xlsx"

    headers = [c.header for c in R.FORM_COLUMNS]
    table = []
    for row, (_, result) in zip(R.form_rows(results), results):
        table.append({"row": dict(zip(headers, map(R.display, row))),
                      "findings": [finding_to_json(f) for f in result.findings]})
    findings = report.findings
    payload = {
        "type": "result",
        "document": to_json(report.results, findings),
        "table": table,
        "files": len(report.files),
        "failed": [{"path": f.path, "reason": f.error} for f in report.failed_files],
        "counts": {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")},
        "downloads": downloads,
    }
    return _relative(payload, str(folder) + os.sep)


# --- the application ----------------------------------------------------------------------------


def create_app(token: str, port: int, root: Path, *, on_shutdown: Callable[[], None] = lambda: None,
               limits: UploadLimits = UploadLimits()):
    """The guarded ASGI application; uploads live under ``root`` (the private folder)."""
    batches = Batches(root, limits)
    page = _static_text("index.html").replace("__TOKEN__", token)

    async def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return _error("没有这个文件。", 404)
        return Response(_static_text(name), media_type=STATIC[name])

    async def health(request: Request) -> Response:
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version("xltools")
        except PackageNotFoundError:
            ver = "unknown"
        return JSONResponse({"ok": True, "api": API_VERSION, "version": ver})

    async def rulepacks(request: Request) -> Response:
        return JSONResponse({"rulepacks": [{"id": i, "name": n} for i, n in RULEPACKS]})

    async def new_batch(request: Request) -> Response:
        batch = batches.create()
        return JSONResponse({"id": batch.id, "limits": {
            "max_file_bytes": limits.max_file_bytes, "max_files": limits.max_files,
            "max_batch_bytes": limits.max_batch_bytes}}, status_code=201)

    async def upload(request: Request) -> Response:
        batch = batches.get(request.path_params["id"])
        name = request.query_params.get("path", "")
        declared = request.headers.get("content-length")
        size = int(declared) if declared and declared.isdigit() else None
        path = await batches.receive(batch, name, request.stream(), size)
        return JSONResponse({"path": name, "size": path.stat().st_size}, status_code=201)

    async def check(request: Request) -> Response:
        batch = batches.get(request.path_params["id"])
        body = await _json_body(request, limits.max_rules_bytes * 2)
        if not batch.files:
            raise ApiError("还没有上传任何文件。")
        scratch = Path(tempfile.mkdtemp(dir=root, prefix=".rules-"))
        try:
            pack, _ = load_pack(body.get("rules"), body.get("rules_toml"), scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return StreamingResponse(_progress_lines(batch.folder, pack),
                                 media_type="application/x-ndjson; charset=utf-8")

    async def download(request: Request) -> Response:
        batch = batches.get(request.path_params["id"])
        kind = request.path_params["kind"]
        if kind not in DOWNLOAD_NAMES:
            return _error("没有这个文件。", 404)
        stored, shown = DOWNLOAD_NAMES[kind]
        path = batch.folder / stored
        if not path.is_file():
            return _error("还没有生成这个文件，请先检查。", 404)
        return FileResponse(path, filename=shown, media_type=MEDIA_TYPES[Path(kind).suffix])

    async def delete_batch(request: Request) -> Response:
        batches.remove(request.path_params["id"])
        return JSONResponse({"ok": True})

    async def check_grid(request: Request) -> Response:
        from anyio import to_thread

        body = await _json_body(request, limits.max_json_bytes)
        scratch = Path(tempfile.mkdtemp(dir=root, prefix=".grid-"))
        try:
            return JSONResponse(await to_thread.run_sync(_check_grid, body, scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    async def shutdown(request: Request) -> Response:
        return JSONResponse({"ok": True, "message": "xltools 本地服务已停止，可以关闭此页面。"},
                            background=BackgroundTask(on_shutdown))

    async def errors(request: Request, exc: Exception) -> Response:
        return _error(str(exc.args[0]), exc.status)  # other exceptions: see security.Guard

    v = f"/api/{API_VERSION}"
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        Route(f"{v}/health", health, methods=["GET"]),
        Route(f"{v}/rulepacks", rulepacks, methods=["GET"]),
        Route(f"{v}/batches", new_batch, methods=["POST"]),
        Route(f"{v}/batches/{{id}}/files", upload, methods=["PUT"]),
        Route(f"{v}/batches/{{id}}/check", check, methods=["POST"]),
        Route(f"{v}/batches/{{id}}/{{kind}}", download, methods=["GET"]),
        Route(f"{v}/batches/{{id}}", delete_batch, methods=["DELETE"]),
        Route(f"{v}/check-grid", check_grid, methods=["POST"]),
        Route(f"{v}/shutdown", shutdown, methods=["POST"]),
        Route("/shutdown", shutdown, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={ApiError: errors, UploadError: errors})
    return Guard(app, token, port)


def _progress_lines(folder: Path, pack):
    """NDJSON lines while a batch is checked in a thread: ``progress`` lines, then the result
    (or one ``error`` line)."""
    q: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            q.put(check_batch(folder, pack, lambda done, total: q.put(
                {"type": "progress", "done": done, "total": total})))
        except Exception as exc:  # noqa: BLE001 - one Chinese line for the page
            from ..writers.atomic import OutputError

            text = str(exc.args[0]) if isinstance(exc, OutputError) else \
                f"程序内部错误（{type(exc).__name__}: {exc}）。请把这一行报告给开发者。"
            q.put({"type": "error", "error": text})

    threading.Thread(target=work, daemon=True, name="xltools-check").start()
    while True:
        item = q.get()
        yield (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
        if item["type"] != "progress":
            return


def _check_grid(body: dict, scratch: Path) -> dict:
    """``POST /api/v1/check-grid``: locate and score the posted workbook's forms with the
    Excel ribbon's code; for 校验/重算 also the edits that show the findings in the workbook."""
    from ..excel import macros
    from ..writers.json_doc import to_json
    from .posted import PayloadError
    from .wpsport import PostedWorkbookPort

    action = body.get("action", "check")
    if action not in ("check", "validate", "recalculate"):
        raise ApiError("action 应为 check、validate 或 recalculate。")
    workbook = body.get("workbook") or "当前工作簿"
    if not isinstance(workbook, str):
        raise ApiError("workbook 应为工作簿名称。")
    pack, rules = load_pack(body.get("rules"), body.get("rules_toml"), scratch)
    try:
        port = PostedWorkbookPort(workbook, body.get("sheets") or [], ledger=body.get("ledger"),
                                  active=body.get("active_sheet"), rules=rules)
        located, loose = macros.locate_all(port, pack)
    except PayloadError as exc:
        raise ApiError(str(exc.args[0])) from None
    findings = sorted([f for loc in located for f in loc.result.findings] + list(loose),
                      key=lambda f: f.sort_key())
    document = to_json([loc.result for loc in located], findings)
    message = ""
    if action == "validate":
        message = macros.validate(port)
    elif action == "recalculate":
        message = macros.recalculate(port)
    return {"api": API_VERSION, "action": action, "message": message, "document": document,
            "edits": port.edits}
