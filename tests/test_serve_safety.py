"""The safety rules of ``xltools serve``, each against a real service in a subprocess: the
token, the Host header (DNS rebinding), the Origin (no permissive CORS), upload limits, names
outside the upload folder, rule packs that would read a path, bad files, and a clean stop."""

from __future__ import annotations

import json
import os
import signal

import pytest

from serve_support import SAMPLES, start_service

from fixtures.bad_inputs import write_zip_bomb

SAMPLE = SAMPLES / "河北_自评表示例.xlsx"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("home"), "--max-file-mb", "0.1", "--max-files", "3")
    yield svc
    svc.stop()


def new_batch(service) -> str:
    status, data = service.json("POST", "/api/v1/batches")
    assert status == 201
    return data["id"]


def test_binds_loopback_only_and_writes_discovery_file(service):
    assert service.base.startswith("http://127.0.0.1:")
    info = json.loads((service.home / ".xltools" / "serve.json").read_text(encoding="utf-8"))
    assert info["url"] == service.base and info["token"] == service.token and info["api"] == "v1"
    if os.name != "nt":
        assert (service.home / ".xltools" / "serve.json").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/api/v1/health", "/api/v1/rulepacks"])
def test_every_request_needs_the_token(service, path):
    status, headers, body = service.request("GET", path, token=False)
    assert status == 403 and "令牌" in body.decode("utf-8")
    status, _, body = service.request("GET", path, token=False,
                                      headers={"X-XLTools-Token": service.token[:-1] + "x"})
    assert status == 403
    status, _, _ = service.request("GET", path + "?token=wrong", token=False)
    assert status == 403
    status, _, _ = service.request("GET", path + f"?token={service.token}", token=False)
    assert status == 200
    assert service.request("GET", path)[0] == 200


def test_page_carries_token_to_its_assets_and_strict_headers(service):
    status, headers, body = service.request("GET", "/")
    page = body.decode("utf-8")
    assert status == 200 and f"/static/app.js?token={service.token}" in page
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in headers


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:1",
                                  "localhost:1", "0.0.0.0:{port}", "127.0.0.2:{port}"])
def test_foreign_host_header_is_refused(service, host):
    status, _, body = service.request("GET", "/api/v1/health", host=host.format(port=service.port))
    assert status == 403 and "主机名" in body.decode("utf-8")


def test_loopback_names_are_accepted(service):
    assert service.request("GET", "/api/v1/health", host=f"localhost:{service.port}")[0] == 200
    assert service.request("GET", "/api/v1/health", host=f"127.0.0.1:{service.port}")[0] == 200


def test_no_permissive_cors(service):
    status, headers, _ = service.request("GET", "/api/v1/health", headers={"Origin": "http://evil.example"})
    assert status == 403 and "access-control-allow-origin" not in headers
    status, headers, _ = service.request(
        "OPTIONS", "/api/v1/check-grid", token=False,
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403 and "access-control-allow-origin" not in headers
    # the service's own page
    status, headers, _ = service.request("GET", "/api/v1/health", headers={"Origin": service.base[:-1]})
    assert status == 200 and "access-control-allow-origin" not in headers
    # the WPS add-in (a local file page, Origin: null): the API only, with the token, never '*'
    status, headers, _ = service.request(
        "OPTIONS", "/api/v1/check-grid", token=False,
        headers={"Origin": "null", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-xltools-token"})
    assert status == 204 and headers["access-control-allow-origin"] == "null"
    assert "access-control-allow-credentials" not in headers
    status, headers, _ = service.request("GET", "/api/v1/health", headers={"Origin": "null"})
    assert status == 200 and headers["access-control-allow-origin"] == "null"
    assert service.request("GET", "/api/v1/health", headers={"Origin": "null"}, token=False)[0] == 403
    assert service.request("GET", "/", headers={"Origin": "null"})[0] == 403


def test_oversized_upload_is_refused_and_nothing_kept(service):
    batch = new_batch(service)
    big = b"PK\x03\x04" + b"0" * 200_000  # over --max-file-mb 0.1
    status, data = service.upload(batch, "大文件.xlsx", big)
    assert status == 413 and "上限" in data["error"]
    # declared too large: refused before the body is read
    status, _, body = service.request("PUT", f"/api/v1/batches/{batch}/files?path=a.xlsx", b"x",
                                      headers={"Content-Length": "99999999"})
    assert status == 413
    # streamed without a length: stopped when the limit is passed
    chunks = b"".join(b"%x\r\n%s\r\n" % (50_000, b"0" * 50_000) for _ in range(4)) + b"0\r\n\r\n"
    status, _, body = service.request("PUT", f"/api/v1/batches/{batch}/files?path=b.xlsx", chunks,
                                      headers={"Transfer-Encoding": "chunked"})
    assert status == 413
    folder = next(p for p in service.private_folders() if (p / batch).is_dir()) / batch
    assert list(folder.rglob("*.xlsx")) == []
    status, data = service.json("POST", f"/api/v1/batches/{batch}/check", {"rules": "national"})
    assert status == 400 and "还没有上传" in data["error"]


def test_too_many_files_are_refused(service):
    batch = new_batch(service)
    small = SAMPLE.read_bytes()
    for i in range(3):
        assert service.upload(batch, f"表{i}.xlsx", small)[0] == 201
    status, data = service.upload(batch, "表3.xlsx", small)
    assert status == 413 and "最多" in data["error"]


@pytest.mark.parametrize("name", ["../x.xlsx", "a/../../x.xlsx", "/etc/x.xlsx", "C:/x.xlsx",
                                  "..\\x.xlsx", "a//b.xlsx", "./x.xlsx", ".hidden.xlsx", "~$lock.xlsx",
                                  "x.exe", "x.xlsx\x00.txt", "a\nb.xlsx", ""])
def test_names_outside_the_upload_folder_are_refused(service, name, tmp_path):
    batch = new_batch(service)
    folder = next(p for p in service.private_folders() if (p / batch).is_dir()) / batch
    status, data = service.upload(batch, name, b"PK\x03\x04")
    assert status in (400, 415) and data["error"]
    assert list(folder.iterdir()) == []
    # nothing where the name points, inside or outside the private folder
    for base in (folder, folder.parent, folder.parent.parent):
        assert not (base / "x.xlsx").exists() and not (base / "x.exe").exists()


def test_symlink_in_upload_folder_is_not_followed(service):
    batch = new_batch(service)
    folder = next(p for p in service.private_folders() if (p / batch).is_dir()) / batch
    outside = service.home / "outside"
    outside.mkdir(exist_ok=True)
    os.symlink(outside, folder / "link")
    status, data = service.upload(batch, "link/x.xlsx", SAMPLE.read_bytes())
    assert status == 400 and "之外" in data["error"]
    assert list(outside.iterdir()) == []


def test_unknown_batch_and_download_names(service):
    status, data = service.json("GET", "/api/v1/batches/ffffffffffffffff/summary.xlsx")
    assert status == 404
    batch = new_batch(service)
    status, data = service.json("GET", f"/api/v1/batches/{batch}/..%2F..%2Fetc%2Fpasswd")
    assert status == 404


def test_rule_pack_may_not_name_a_path(service, tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('name = "secret"\n', encoding="utf-8")
    batch = new_batch(service)
    assert service.upload(batch, "a.xlsx", SAMPLE.read_bytes())[0] == 201
    for toml in (f'extends = "{secret}"\n', 'extends = "../../secret.toml"\n'):
        status, data = service.json("POST", f"/api/v1/batches/{batch}/check",
                                    {"rules": None, "rules_toml": toml})
        assert status == 400 and "只能 extends 内置规则包" in data["error"]
    status, data = service.json("POST", f"/api/v1/batches/{batch}/check", {"rules": str(secret)})
    assert status == 400 and "不存在" in data["error"]
    # the posted workbook's own xlwings.conf cannot name a file either
    conf = {"name": "xlwings.conf", "values": [["XLTOOLS_RULES", str(secret)]]}
    status, data = service.json("POST", "/api/v1/check-grid",
                                {"workbook": "a.xlsx", "action": "validate", "sheets": [conf]})
    assert status == 200 and data["document"]["forms"] == []


@pytest.fixture(scope="module")
def roomy(tmp_path_factory):
    """A service with the default upload limits."""
    svc = start_service(tmp_path_factory.mktemp("home-roomy"))
    yield svc
    svc.stop()


def test_bad_files_are_findings_not_failures(roomy, tmp_path):
    service = roomy
    batch = new_batch(service)
    bomb = write_zip_bomb(tmp_path / "压缩炸弹.xlsx")
    assert service.upload(batch, "压缩炸弹.xlsx", bomb.read_bytes())[0] == 201
    assert service.upload(batch, "坏文件.xlsx", b"this is not a workbook")[0] == 201
    lines = service.check(batch)
    result = lines[-1]
    assert result["type"] == "result"
    assert lines[:-1] == [{"type": "progress", "done": 1, "total": 2},
                          {"type": "progress", "done": 2, "total": 2}]
    failed = {f["path"]: f["reason"] for f in result["failed"]}
    assert set(failed) == {"压缩炸弹.xlsx", "坏文件.xlsx"}
    assert "压缩" in failed["压缩炸弹.xlsx"] or "过大" in failed["压缩炸弹.xlsx"]
    codes = sorted(f["code"] for f in result["document"]["findings"])
    assert codes == ["FILE_TOO_LARGE", "READ_FAILED"]  # the bomb is over a limit, the other broken
    assert "xltools-serve-" not in json.dumps(result, ensure_ascii=False)  # no private path shown


def test_sources_are_never_modified(roomy, tmp_path):
    service = roomy
    source = tmp_path / "表.xlsx"
    source.write_bytes(SAMPLE.read_bytes())
    stamp = source.stat().st_mtime_ns
    batch = new_batch(service)
    assert service.upload(batch, "表.xlsx", source.read_bytes())[0] == 201
    assert service.check(batch)[-1]["type"] == "result"
    assert source.read_bytes() == SAMPLE.read_bytes() and source.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("how", ["sigint", "sigterm", "shutdown"])
def test_stops_cleanly_and_removes_its_folder(tmp_path, how):
    svc = start_service(tmp_path / "home")
    batch = new_batch(svc)
    assert svc.upload(batch, "a.xlsx", SAMPLE.read_bytes())[0] == 201
    mine = [p for p in svc.private_folders() if (p / batch).is_dir()]
    assert len(mine) == 1
    if how == "shutdown":
        status, data = svc.json("POST", "/shutdown")
        assert status == 200 and "已停止" in data["message"]
        code = svc.proc.wait(timeout=20)
    else:
        code = svc.stop(signal.SIGINT if how == "sigint" else signal.SIGTERM)
    out, err = svc.proc.communicate(timeout=10)
    assert code == 0, err
    assert "已停止" in out and "Traceback" not in err
    assert not mine[0].exists()
    assert not (svc.home / ".xltools" / "serve.json").exists()


def test_port_in_use_is_one_chinese_line(tmp_path):
    import socket
    import subprocess
    import sys

    from serve_support import ROOT

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    port = sock.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, "-m", "xltools", "serve", "--no-browser", "--port", str(port)],
                             cwd=str(ROOT), capture_output=True, text=True, encoding="utf-8", timeout=30,
                             env=dict(os.environ, HOME=str(tmp_path)))
    finally:
        sock.close()
    assert out.returncode == 2
    assert out.stderr.startswith("错误：无法使用端口") and "Traceback" not in out.stderr
