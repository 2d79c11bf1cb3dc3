"""Tests of the datafusion-dbgen Python package (SF 0.01 throughout)."""

from __future__ import annotations

import csv
import datetime
import gc
import hashlib
import os
import signal
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from datafusion import SessionContext

import datafusion_dbgen as tpch

SF = 0.01
LINEITEM_ROWS = 60175
CHECKSUMS = Path(__file__).resolve().parent.parent.parent / "testdata" / "checksums.tsv"


def reference_checksums(sf: float) -> dict[str, tuple[int, int, str]]:
    """dbgen's rows, bytes and sha256 per table at ``sf`` (from the crate's test data)."""
    out: dict[str, tuple[int, int, str]] = {}
    with CHECKSUMS.open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if float(row["sf"]) == sf:
                out[row["table"]] = (int(row["rows"]), int(row["bytes"]), row["sha256"])
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scalar(ctx: SessionContext, sql: str):
    return ctx.sql(sql).to_arrow_table().column(0)[0].as_py()


@pytest.fixture(scope="module")
def ctx() -> SessionContext:
    ctx = SessionContext()
    tpch.register_tpch(ctx, SF)
    return ctx


# --- queries over the FFI tables ---------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 23))
def test_query_equals_official_answer(ctx: SessionContext, n: int) -> None:
    tpch.check_answer(ctx.sql(tpch.query(n)), SF, n)


def test_check_answer_accepts_batches_and_tables(ctx: SessionContext) -> None:
    batches = ctx.sql(tpch.query(6)).collect()
    tpch.check_answer(batches, SF, 6)
    tpch.check_answer(pa.Table.from_batches(batches), SF, 6)


def test_check_answer_reports_a_mismatch(ctx: SessionContext) -> None:
    wrong = ctx.sql(tpch.query(1)).to_arrow_table().slice(1)
    with pytest.raises(tpch.AnswerMismatch, match="expected 4 rows, got 3"):
        tpch.check_answer(wrong, SF, 1)
    with pytest.raises(AssertionError):
        tpch.check_answer(ctx.sql(tpch.query(3)), SF, 1)


def test_count_lineitem(ctx: SessionContext) -> None:
    assert scalar(ctx, "SELECT count(*) FROM lineitem") == LINEITEM_ROWS
    assert scalar(ctx, "SELECT count(*) FROM orders") == 15000
    # Answered from the provider's exact statistics across the FFI: no scan in the plan.
    for name, rows in [("lineitem", LINEITEM_ROWS), ("orders", 15000)]:
        plan = ctx.sql(f"EXPLAIN SELECT count(*) FROM {name}").to_pydict()["plan"][-1]
        assert f"{rows} as count(*)" in plan, plan
        assert "PlaceholderRowExec" in plan, plan


def test_projection_filter_limit(ctx: SessionContext) -> None:
    got = ctx.sql(
        "SELECT l_orderkey, l_quantity FROM lineitem WHERE l_orderkey < 100 "
        "ORDER BY 1, 2 LIMIT 5"
    ).to_arrow_table()
    # The same rows computed in pyarrow from a full scan (no filter to push down).
    full = ctx.sql("SELECT l_orderkey, l_quantity FROM lineitem").to_arrow_table()
    assert full.num_rows == LINEITEM_ROWS
    want = (
        full.filter(pc.less(full["l_orderkey"], 100))
        .sort_by([("l_orderkey", "ascending"), ("l_quantity", "ascending")])
        .slice(0, 5)
    )
    assert got.num_rows == 5
    assert got.column(0).to_pylist() == want.column(0).to_pylist()
    assert got.column(1).to_pylist() == want.column(1).to_pylist()
    assert got.column(0).to_pylist()[0] == 1  # the first order's key


def test_pushed_filters_are_exact(ctx: SessionContext) -> None:
    full = ctx.sql("SELECT l_orderkey, l_shipdate FROM lineitem").to_arrow_table()
    by_key = scalar(ctx, "SELECT count(*) FROM lineitem WHERE l_orderkey BETWEEN 1000 AND 20000")
    want = pc.sum(
        pc.and_(
            pc.greater_equal(full["l_orderkey"], 1000), pc.less_equal(full["l_orderkey"], 20000)
        )
    ).as_py()
    assert by_key == want
    by_date = scalar(ctx, "SELECT count(*) FROM lineitem WHERE l_shipdate >= DATE '1995-06-17'")
    cut = pa.scalar(datetime.date(1995, 6, 17), full["l_shipdate"].type)
    assert by_date == pc.sum(pc.greater_equal(full["l_shipdate"], cut)).as_py()
    # Grouped totals add up to the whole table.
    groups = ctx.sql(
        "SELECT l_returnflag, count(*) AS n FROM lineitem GROUP BY 1"
    ).to_arrow_table()
    assert sum(groups["n"].to_pylist()) == LINEITEM_ROWS


def test_register_under_a_schema() -> None:
    ctx = SessionContext()
    tpch.register_tpch(ctx, SF, schema="tpch")
    assert scalar(ctx, "SELECT count(*) FROM tpch.lineitem") == LINEITEM_ROWS
    assert scalar(ctx, "SELECT count(*) FROM tpch.nation") == 25


def test_table_functions() -> None:
    ctx = SessionContext()
    tpch.register_tpch_functions(ctx)
    rows = ctx.sql("SELECT count(*) AS n FROM tpch_orders(0.01)").to_pydict()
    assert rows["n"] == [15000]
    rows = ctx.sql("SELECT count(*) AS n FROM tpch_supplier(0.1)").to_pydict()
    assert rows["n"] == [1000]
    with pytest.raises(Exception, match="scale factor"):
        ctx.sql("SELECT * FROM tpch_nation(-1)").collect()
    with pytest.raises(ValueError):
        tpch.TpchFunction("nope")


def test_bench_table_functions() -> None:
    testdata = Path(__file__).resolve().parents[2] / "testdata"
    ctx = SessionContext()
    tpch.register_tpch_functions(ctx)
    assert tpch.BENCH_FUNCTIONS == (
        "tpch_queries", "tpch_answers", "tpch_refresh_orders", "tpch_refresh_lineitem",
        "tpch_refresh_deletes",
    )
    rows = ctx.sql("SELECT query_nr, query FROM tpch_queries() ORDER BY 1").to_pydict()
    assert rows["query_nr"] == list(range(1, 23))
    assert rows["query"] == tpch.queries()
    # A qgen stream: its parameter log, line for line.
    rows = ctx.sql(
        "SELECT query_nr, parameters FROM tpch_queries(0.01, 42, 0) ORDER BY position"
    ).to_pydict()
    log = "".join(f"{n}\t{p}\n" for n, p in zip(rows["query_nr"], rows["parameters"]))
    assert log == (testdata / "qgen" / "sf0.01-seed42-stream0.tsv").read_text()
    rows = ctx.sql(
        "SELECT answer FROM tpch_answers() WHERE query_nr = 1 AND scale_factor = 0.01"
    ).to_pydict()
    assert rows["answer"] == [tpch.answer_text(0.01, 1)]
    # RF1 and RF2's rows of refresh set 1: dbgen's files.
    rows = ctx.sql("SELECT o_orderkey FROM tpch_refresh_deletes(0.01, 1) ORDER BY 1").to_pydict()
    deletes = (testdata / "updates" / "sf0.01" / "delete.1").read_text()
    assert "".join(f"{k}|\n" for k in rows["o_orderkey"]) == deletes
    n = ctx.sql("SELECT count(*) AS n FROM tpch_refresh_orders(0.01, 1)").to_pydict()["n"]
    assert n == [10]
    lines = (testdata / "updates" / "sf0.01" / "lineitem.tbl.u1").read_text().count("\n")
    n = ctx.sql("SELECT count(*) AS n FROM tpch_refresh_lineitem(0.01, 1)").to_pydict()["n"]
    assert n == [lines]
    for bad, message in [
        ("tpch_refresh_orders(0.01, 0)", "refresh set 0 out of range"),
        ("tpch_queries(1, -1)", "seed -1 out of range"),
        ("tpch_queries(1, 1, 41)", "stream 41 out of range"),
    ]:
        with pytest.raises(Exception, match=message):
            ctx.sql(f"SELECT * FROM {bad}").collect()
    assert tpch.TpchFunction("TPCH_QUERIES").name == "tpch_queries"


def test_table_object() -> None:
    t = tpch.table("Orders", SF)
    assert t.name == "orders"
    assert t.sf == SF
    assert t.num_rows == 15000
    assert tpch.table("lineitem", SF).num_rows is None
    assert pa.schema(t).names == t.column_names
    assert t.column_names[0] == "o_orderkey"
    ctx = SessionContext()
    ctx.register_table("o", t)
    assert scalar(ctx, "SELECT max(o_orderkey) FROM o") == 60000
    assert tpch.TABLES == (
        "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem",
    )


def test_queries_and_answers() -> None:
    qs = tpch.queries()
    assert len(qs) == 22
    assert qs[5] == tpch.query(6)
    assert "l_discount" in tpch.query(6)
    a = tpch.answer(SF, 1)
    assert a.num_rows == 4
    assert a.column_names[0] == "l_returnflag"
    assert tpch.answer_text(SF, 1).startswith("l_returnflag|")
    assert 0.01 in tpch.ANSWER_SCALE_FACTORS


def test_drop_context_mid_scan() -> None:
    ctx = SessionContext()
    tpch.register_tpch(ctx, 0.1)
    stream = ctx.sql("SELECT * FROM lineitem").execute_stream()
    assert next(stream).to_pyarrow().num_rows > 0
    del ctx
    gc.collect()
    try:  # may go on or fail cleanly, but must not crash
        next(stream)
    except Exception:
        pass
    del stream
    gc.collect()

    ctx = SessionContext()
    tpch.register_tpch(ctx, 0.1)
    df = ctx.sql("SELECT l_orderkey, l_comment FROM lineitem")
    stream = df.execute_stream()
    assert next(stream).to_pyarrow().num_rows > 0
    del stream, df, ctx
    gc.collect()

    # The extension is still fine afterwards.
    fresh = SessionContext()
    tpch.register_tpch(fresh, SF)
    assert scalar(fresh, "SELECT count(*) FROM lineitem") == LINEITEM_ROWS


# --- generate() --------------------------------------------------------------------------------


def test_generate_tbl_is_dbgen_identical(tmp_path: Path) -> None:
    reference = reference_checksums(SF)
    assert len(reference) == 8
    summary = tpch.generate(SF, "tbl", tmp_path, threads=2, progress=False)
    assert [t.table for t in summary] == list(tpch.TABLES)
    for table, (rows, size, digest) in reference.items():
        path = tmp_path / f"{table}.tbl"
        assert summary[table].files == (path,)
        assert summary[table].rows == rows, table
        assert summary[table].bytes == size, table
        assert path.stat().st_size == size, table
        assert sha256(path) == digest, table
    assert summary.rows == sum(r for r, _, _ in reference.values())
    assert summary.seconds >= 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.tbl" for t in reference)


def test_generate_parquet_reads_back(tmp_path: Path) -> None:
    summary = tpch.generate(
        SF,
        format="parquet",
        output=tmp_path,
        tables="nation,orders,lineitem",
        compression="zstd",
        progress=False,
    )
    want = {"nation": 25, "orders": 15000, "lineitem": LINEITEM_ROWS}
    for table, rows in want.items():
        data = pq.read_table(tmp_path / f"{table}.parquet")
        assert data.num_rows == rows, table
        assert data.column_names == tpch.table(table, SF).column_names
        assert summary[table].rows == rows


def test_generate_takes_the_layout_structure(tmp_path: Path) -> None:
    layout = {
        "orders": {
            "sort": ["o_orderdate", "o_orderkey:desc"],
            "partition_by": "year(o_orderdate)",
            "max_file_rows": 1000,
            "columns": {"o_comment": {"encoding": "DELTA_BYTE_ARRAY"}},
        },
    }
    s = tpch.generate(
        SF, "parquet", tmp_path / "dict", tables=["orders"], layout=layout, progress=False
    )
    files = s["orders"].files
    first = tmp_path / "dict" / "orders" / "o_orderdate_year=1992" / "part-00000.parquet"
    assert files[0] == first
    assert sum(pq.read_metadata(f).num_rows for f in files) == 15000
    meta = pq.read_metadata(files[0])
    assert [c.column_index for c in meta.row_group(0).sorting_columns][:2] == [4, 0]
    toml = tmp_path / "layout.toml"
    toml.write_text(
        '[orders]\nsort = ["o_orderdate", "o_orderkey:desc"]\n'
        'partition_by = "year(o_orderdate)"\nmax_file_rows = 1000\n'
        'columns.o_comment = { encoding = "DELTA_BYTE_ARRAY" }\n'
    )
    t = tpch.generate(
        SF, "parquet", tmp_path / "toml", tables=["orders"], layout=toml, progress=False
    )
    assert [f.relative_to(tmp_path / "toml") for f in t["orders"].files] == [
        f.relative_to(tmp_path / "dict") for f in files
    ]
    with pytest.raises(ValueError, match="unknown column 'l_shipdate'"):
        tpch.generate(
            SF,
            "parquet",
            tmp_path / "bad",
            tables=["orders"],
            layout={"orders": {"sort": ["l_shipdate"]}},
            progress=False,
        )


def test_generate_parts(tmp_path: Path) -> None:
    total = 0
    for part in (1, 2, 3):
        s = tpch.generate(SF, "tbl", tmp_path, tables=["orders"], parts=3, part=part, progress=False)
        assert s["orders"].files == (tmp_path / f"orders.tbl.{part}",)
        total += s["orders"].rows
    assert total == 15000


def test_generate_refuses_existing_files(tmp_path: Path) -> None:
    tpch.generate(SF, "csv", tmp_path, tables=["region"], progress=False)
    with pytest.raises(ValueError, match="exists"):
        tpch.generate(SF, "csv", tmp_path, tables=["region"], progress=False)
    s = tpch.generate(SF, "csv", tmp_path, tables=["region"], overwrite=True, progress=False)
    assert s["region"].rows == 5


def test_unwritable_output_raises_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with pytest.raises(OSError):
        tpch.generate(SF, "tbl", blocker / "out", tables=["nation", "lineitem"], progress=False)
    assert list(tmp_path.iterdir()) == [blocker]
    assert blocker.read_text() == "x"


def test_keyboard_interrupt_stops_the_export(tmp_path: Path) -> None:
    # SF 1 lineitem on one thread takes seconds: Ctrl-C arrives while it runs.
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            tpch.generate(1, "tbl", tmp_path, tables=["lineitem"], threads=1, progress=False)
    finally:
        timer.cancel()
    # The unfinished file (and its temporary) is gone.
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tpch.table("nope", SF), "unknown table 'nope'"),
        (lambda: tpch.table("lineitem", 0), "invalid scale factor"),
        (lambda: tpch.table("lineitem", float("nan")), "invalid scale factor"),
        (lambda: tpch.table("lineitem", 1e6), "invalid scale factor"),
        (lambda: tpch.register_tpch(SessionContext(), -1), "invalid scale factor"),
        (lambda: tpch.register_tpch(SessionContext(), SF, schema=""), "invalid schema name"),
        (lambda: tpch.query(0), "unknown query 0"),
        (lambda: tpch.query(23), "unknown query 23"),
        (lambda: tpch.answer(0.5, 1), "no official answer"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sf": 0}, "invalid scale factor"),
        ({"format": "orc"}, "unknown format 'orc'"),
        ({"tables": ["lineitem", "bogus"]}, "unknown table 'bogus'"),
        ({"tables": []}, "no tables"),
        ({"parts": 4, "part": 5}, "part 5 out of range"),
        ({"parts": 4, "part": 0}, "part 0 out of range"),
        ({"parts": 0, "part": 1}, "invalid number of parts 0"),
        ({"parts": 4}, "go together"),
        ({"threads": 0}, "invalid number of threads"),
        ({"compression": "zstd"}, "apply to format 'parquet'"),
        ({"format": "parquet", "compression": "brotli"}, "unknown compression 'brotli'"),
        ({"format": "parquet", "compression": "zstd:99"}, "out of range"),
    ],
)
def test_generate_bad_input(tmp_path: Path, kwargs: dict, message: str) -> None:
    args = {"sf": SF, "format": "tbl", "output": tmp_path / "out", "progress": False}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        tpch.generate(**args)
    assert not (tmp_path / "out").exists()


def _moto_server() -> str | None:
    """moto's S3-compatible server: TPCH_S3_SERVER, else on PATH (CI installs it)."""
    import shutil

    return os.environ.get("TPCH_S3_SERVER") or shutil.which("moto_server")


@pytest.fixture
def s3_endpoint():
    """A real S3-compatible server (moto_server) on a free loopback port, with bucket "data"."""
    import socket
    import subprocess
    import time
    import urllib.request

    binary = _moto_server()
    if binary is None:
        if os.environ.get("TPCH_REQUIRE_S3") == "1":
            pytest.fail("TPCH_REQUIRE_S3=1 but no moto_server")
        pytest.skip("no S3-compatible server (pip install 'moto[server]')")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(endpoint + "/data", method="PUT"))
                break
            except OSError:
                assert time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.kill()
        proc.wait()


def test_generate_to_s3_writes_the_local_bytes(tmp_path: Path, s3_endpoint: str) -> None:
    import boto3

    options = {
        "aws_endpoint": s3_endpoint,
        "aws_allow_http": "true",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test-secret",
        "aws_region": "us-east-1",
    }
    for fmt in ("tbl", "parquet"):
        local = tpch.generate(SF, fmt, tmp_path / fmt, progress=False)
        remote = tpch.generate(
            SF, fmt, f"s3://data/{fmt}", progress=False, storage_options=options
        )
        assert [t.rows for t in remote.tables] == [t.rows for t in local.tables]
        assert remote.tables[0].files[0].startswith(f"s3://data/{fmt}/")
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test-secret",
            region_name="us-east-1",
        )
        for path in sorted((tmp_path / fmt).iterdir()):
            body = s3.get_object(Bucket="data", Key=f"{fmt}/{path.name}")["Body"].read()
            assert body == path.read_bytes(), path.name
    # An existing object is a ValueError, as an existing file is; a bad option too.
    with pytest.raises(ValueError, match="exists"):
        tpch.generate(SF, "tbl", "s3://data/tbl", progress=False, storage_options=options)
    with pytest.raises(ValueError, match="no_such_key"):
        tpch.generate(
            SF, "tbl", "s3://data/x", progress=False, storage_options={"no_such_key": "1"}
        )
