"""The batch pipeline end to end: real files, the real readers and engine."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from fixtures.national import synthetic_form, write_national_xlsx
from xltools.pipeline import FileReport, Report, check_files


def make_folder(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        form = synthetic_form(f"示例项目{i:02d}（虚构）", budget=str(20 + i), executed=str(15 + i))
        paths.append(write_national_xlsx([form], folder / f"表{i:02d}.xlsx"))
    return paths


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    good = make_folder(tmp_path / "in", 3)
    bad = tmp_path / "in" / "表01a.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    report = check_files([tmp_path / "in"])
    assert [Path(f.path).name for f in report.files] == ["表00.xlsx", "表01.xlsx", "表01a.xlsx",
                                                          "表02.xlsx"]
    assert [r.project for r in report.results] == ["示例项目00（虚构）", "示例项目01（虚构）",
                                                    "示例项目02（虚构）"]
    (failed,) = report.failed_files
    assert Path(failed.path) == bad and failed.results == ()
    assert "表01a.xlsx" in failed.error
    read_failed = [f for f in report.findings if f.code == "READ_FAILED"]
    assert len(read_failed) == 1 and read_failed[0].severity == "error"
    assert read_failed[0].message == failed.error
    assert read_failed[0].location.file == str(bad)
    assert report.findings[0].severity == "error"  # sorted by severity
    assert all(Path(p).exists() for p in good)


def test_a_missing_path_is_reported_not_dropped(tmp_path):
    make_folder(tmp_path / "in", 1)
    report = check_files([tmp_path / "in", tmp_path / "没有这个文件.xlsx"])
    assert len(report.files) == 2 and len(report.results) == 1
    assert report.failed_files[0].error and "没有这个文件.xlsx" in report.failed_files[0].error


def test_an_unexpected_reader_error_becomes_a_finding(tmp_path, monkeypatch):
    import xltools.readers.files as files

    paths = make_folder(tmp_path / "in", 2)
    real = files.read_forms

    def flaky(path, *args, **kwargs):
        if Path(path).name == "表00.xlsx":
            raise ZeroDivisionError("division by zero")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_forms", flaky)
    report = check_files(paths, workers=1)
    assert len(report.results) == 1 and report.results[0].project == "示例项目01（虚构）"
    (failed,) = report.failed_files
    assert "ZeroDivisionError" in failed.error and "表00.xlsx" in failed.error
    assert report.findings[0].code == "READ_FAILED"


def test_pool_keeps_the_order_of_a_serial_run(tmp_path):
    paths = make_folder(tmp_path / "in", 7)
    (tmp_path / "in" / "表03b.xlsx").write_bytes(b"garbage")
    serial = check_files([tmp_path / "in"], workers=1)
    seen = []
    pooled = check_files([tmp_path / "in"], workers=2, chunk_size=2,
                         progress=lambda done, total: seen.append((done, total)))
    assert [f.path for f in pooled.files] == [f.path for f in serial.files]
    assert [r.project for r in pooled.results] == [r.project for r in serial.results]
    assert [r.total for r in pooled.results] == [r.total for r in serial.results]
    assert len(pooled.failed_files) == 1
    assert seen[-1] == (8, 8) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(paths) == 7


def test_progress_and_empty_input(tmp_path):
    make_folder(tmp_path / "in", 2)
    seen = []
    check_files([tmp_path / "in"], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    (tmp_path / "empty").mkdir()
    assert check_files([tmp_path / "empty"]) == Report(())


def test_report_is_picklable(tmp_path):
    report = check_files(make_folder(tmp_path / "in", 2))
    again = pickle.loads(pickle.dumps(report))
    assert again == report and isinstance(again.files[0], FileReport)
    assert again.results[0].total == report.results[0].total


def test_automatic_workers_start_a_pool_only_for_big_batches():
    import os

    from xltools.pipeline import default_workers

    assert default_workers(1) == 1 and default_workers(31) == 1
    assert default_workers(1000) == min(os.cpu_count() or 1, 32)
    assert default_workers(40) == min(os.cpu_count() or 1, 2)  # two chunks of 32


def test_iter_files_yields_in_input_order_while_the_pool_works(tmp_path):
    from xltools.pipeline import iter_files, map_files

    make_folder(tmp_path / "in", 9)
    (tmp_path / "in" / "表04b.xlsx").write_bytes(b"garbage")
    serial = [f.path for f in check_files([tmp_path / "in"], workers=1).files]
    events = []
    it = iter_files([tmp_path / "in"], None, workers=2, chunk_size=2,
                    progress=lambda done, total: events.append(("progress", done, total)))
    for report in it:
        events.append(("file", report.path))
    assert [e[1] for e in events if e[0] == "file"] == serial
    assert [e for e in events if e[0] == "progress"][-1] == ("progress", 10, 10)
    # the first file comes before the last chunk is done: consumers overlap the pool
    first_file = next(i for i, e in enumerate(events) if e[0] == "file")
    assert events[first_file - 1][1] < 10
    assert [f.path for f in map_files([tmp_path / "in"], None, workers=2, chunk_size=3)] == serial


def test_leaving_iter_files_early_stops_the_pool(tmp_path):
    from xltools.pipeline import iter_files

    make_folder(tmp_path / "in", 12)
    it = iter_files([tmp_path / "in"], None, workers=2, chunk_size=1)
    first = next(it)
    it.close()  # the consumer failed: pending chunks are cancelled, no error
    assert first.path.endswith("表00.xlsx") and first.error is None


def test_a_single_file_is_read_by_one_worker_at_most(tmp_path, monkeypatch):
    """One file: one reading process (so that a reader crash never ends this one), never two;
    with XLTOOLS_IN_PROCESS=1, none."""
    import xltools.pipeline as P

    started = []
    real = P._read_in_workers

    def recording(chunks, n_workers, *args):
        started.append(n_workers)
        return real(chunks, n_workers, *args)

    monkeypatch.setattr(P, "_read_in_workers", recording)
    (path,) = make_folder(tmp_path / "in", 1)
    assert [r.path for r in P.iter_files([path], None)] == [str(path)]
    assert started == ([1] if P.in_child_process() else [])
    monkeypatch.setenv("XLTOOLS_IN_PROCESS", "1")
    assert [r.path for r in P.iter_files([path], None)] == [str(path)]
    assert started == ([1] if started else [])


@pytest.mark.parametrize("n", [0, 1, 7, 31, 32, 33, 64, 65, 200, 2000])
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_chunks_cover_every_file_once_in_order(n, workers):
    from xltools.pipeline import _chunks

    items = [f"{i}.xlsx" for i in range(n)]
    chunks = _chunks(items, 32, workers)
    assert [x for c in chunks for x in c] == items
    assert all(1 <= len(c) <= 32 for c in chunks)
    if workers > 1 and n >= 2 * workers * 32:
        assert {len(c) for c in chunks[-2 * workers * 4:]} == {8}  # a short tail


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path):
    """A zip made on Chinese Windows, unpacked here, leaves GBK file names: the file is read,
    shown by its Chinese name, and the summary is written."""
    import os

    from xltools.cli import main

    folder = tmp_path / "收表"
    folder.mkdir()
    good = write_national_xlsx([synthetic_form("示例项目（虚构）")], folder / "正常.xlsx")
    gbk = os.path.join(os.fsencode(folder), "宣传部自评表".encode("gbk") + b".xlsx")
    with open(gbk, "wb") as fh:
        fh.write(good.read_bytes())
    report = check_files([folder], workers=1)
    assert sorted(Path(f.path).name for f in report.files) == ["宣传部自评表.xlsx", "正常.xlsx"]
    assert {r.form.source.file for r in report.results} == {"宣传部自评表.xlsx", "正常.xlsx"}
    out = tmp_path / "部门汇总.xlsx"
    assert main(["consolidate", str(folder), "-o", str(out)]) == 0 and out.is_file()
