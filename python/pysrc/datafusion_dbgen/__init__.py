"""TPC-H data generated while DataFusion scans it, byte-identical to the official dbgen.

The eight TPC-H tables as DataFusion tables that generate their rows while they are scanned
(nothing is written to disk), the 22 queries with their official answers, and a fast
parallel export to ``.tbl``, CSV and Parquet files.

Example::

    from datafusion import SessionContext
    import datafusion_dbgen as tpch

    ctx = SessionContext()
    tpch.register_tpch(ctx, sf=1)                   # the eight generating tables
    ctx.sql("SELECT l_returnflag, count(*) FROM lineitem GROUP BY 1").show()

    df = ctx.sql(tpch.query(1))
    tpch.check_answer(df, sf=1, n=1)                # raises AnswerMismatch on a difference

    tpch.generate(sf=10, format="parquet", output="sf10", threads=8)

Errors: bad input (scale factor, table name, part, format, options) raises ``ValueError``
with the generator's own message; I/O failures raise ``OSError``.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from . import _internal
from ._internal import TpchFunction, TpchTable

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from datafusion import SessionContext

__all__ = [
    "ANSWER_SCALE_FACTORS",
    "BENCH_FUNCTIONS",
    "TABLES",
    "AnswerMismatch",
    "ExportSummary",
    "TableSummary",
    "TpchFunction",
    "TpchTable",
    "__version__",
    "answer",
    "answer_text",
    "check_answer",
    "generate",
    "queries",
    "query",
    "register_tpch",
    "register_tpch_functions",
    "table",
]

__version__: str = _internal.__version__

#: The eight TPC-H table names, smallest first.
TABLES: tuple[str, ...] = tuple(_internal.table_names())

#: The benchmark's table functions (see :func:`register_tpch_functions`).
BENCH_FUNCTIONS: tuple[str, ...] = tuple(_internal.bench_function_names())

#: The scale factors with official answers (``answer``, ``check_answer``).
ANSWER_SCALE_FACTORS: tuple[float, ...] = tuple(_internal.answer_scale_factors())


class AnswerMismatch(AssertionError, ValueError):
    """A query result differs from the expected answer (the message names the first
    differing row and column, or the row or column count)."""


# --------------------------------------------------------------------------------------------
# Tables


def table(name: str, sf: float) -> TpchTable:
    """The TPC-H table ``name`` at scale factor ``sf``, generated while it is scanned.

    Register it in a ``datafusion.SessionContext``::

        ctx.register_table("lineitem", tpch.table("lineitem", 1))

    Args:
        name: One of :data:`TABLES` (case-insensitive).
        sf: Scale factor, 0.001 to 100000 (1 and above is truncated to a whole number, as
            dbgen does).

    Raises:
        ValueError: unknown table or invalid scale factor.
    """
    return TpchTable(name, sf)


def register_tpch(ctx: SessionContext, sf: float, *, schema: str | None = None) -> None:
    """Registers the eight TPC-H tables at scale factor ``sf`` in ``ctx``.

    Args:
        ctx: A ``datafusion.SessionContext``.
        sf: Scale factor (see :func:`table`).
        schema: Register the tables in this schema of the context's default catalog (created
            as an in-memory schema if missing), so that queries name them ``schema.lineitem``.
            ``None`` (the default) registers them in the default schema, where the 22 queries
            find them as written.

    Raises:
        ValueError: invalid scale factor, or a schema name that is empty or not a string, or
            a datafusion version without the catalog API.
    """
    tables = [TpchTable(name, sf) for name in TABLES]  # validates sf before touching ctx
    if schema is None:
        for t in tables:
            ctx.register_table(t.name, t)
        return
    if not isinstance(schema, str) or not schema.strip():
        raise ValueError(f"invalid schema name {schema!r}: expected a non-empty string")
    try:
        from datafusion.catalog import Schema

        catalog = ctx.catalog()
        if schema not in catalog.schema_names():
            catalog.register_schema(schema, Schema.memory_schema(ctx))
        target = catalog.schema(schema)
    except (AttributeError, ImportError, TypeError) as e:
        raise ValueError(
            "registering the tables under a schema needs datafusion-python's catalog API "
            f"(ctx.catalog().register_schema, Schema.memory_schema): {e}"
        ) from e
    for t in tables:
        target.register_table(t.name, t)


def register_tpch_functions(ctx: SessionContext) -> None:
    """Registers the table functions ``tpch_<table>(sf)`` and the benchmark's in ``ctx``.

    ``SELECT count(*) FROM tpch_lineitem(0.1)`` generates the table at the scale factor the
    query names (a literal number). The benchmark's functions:

    - ``tpch_queries()``: ``(query_nr, query)``, the 22 queries with the validation
      parameters; ``tpch_queries(sf, seed, stream)``: ``(position, query_nr, query,
      parameters)``, qgen's stream (``seed``/``stream`` may be ``NULL``);
    - ``tpch_answers()``: ``(query_nr, scale_factor, answer)``, the embedded answers;
    - ``tpch_refresh_orders(sf, set)``, ``tpch_refresh_lineitem(sf, set)``,
      ``tpch_refresh_deletes(sf, set)``: dbgen's refresh set ``set`` (RF1's rows, RF2's keys).

    Arguments are positional here: datafusion-python's SQL planner takes no named table
    function arguments (``sf => 1``), which the Rust sessions accept.

    Args:
        ctx: A ``datafusion.SessionContext``.
    """
    from datafusion import TableFunction

    for name in (*TABLES, *BENCH_FUNCTIONS):
        function = TpchFunction(name)
        ctx.register_udtf(TableFunction(function.name, function, ctx))


# --------------------------------------------------------------------------------------------
# Export


@dataclass(frozen=True)
class TableSummary:
    """What :func:`generate` wrote for one table."""

    #: The table name.
    table: str
    #: The files written (object-store outputs as URL strings).
    files: tuple[Path | str, ...]
    #: Rows written.
    rows: int
    #: Bytes written.
    bytes: int
    #: Seconds from the start of the export until the table's last file was complete.
    seconds: float


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`generate` wrote: one :class:`TableSummary` per table, in the order
    requested, and the wall-clock time of the whole export."""

    tables: tuple[TableSummary, ...]
    #: Wall-clock seconds of the whole export.
    seconds: float
    #: The I/O back end that wrote the files (``"io_uring"`` or ``"portable"``).
    backend: str
    #: Temporary files of earlier, interrupted runs found and removed first.
    stale_removed: tuple[Path, ...] = field(default=())

    @property
    def rows(self) -> int:
        """Rows written, all tables."""
        return sum(t.rows for t in self.tables)

    @property
    def bytes(self) -> int:
        """Bytes written, all tables."""
        return sum(t.bytes for t in self.tables)

    @property
    def files(self) -> tuple[Path, ...]:
        """All files written."""
        return tuple(f for t in self.tables for f in t.files)

    def __getitem__(self, name: str) -> TableSummary:
        """The summary of table ``name``."""
        for t in self.tables:
            if t.table == name:
                return t
        raise KeyError(name)

    def __iter__(self) -> Iterator[TableSummary]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dict per table (``table``, ``files``, ``rows``, ``bytes``, ``seconds``)."""
        return [
            {
                "table": t.table,
                "files": [str(f) for f in t.files],
                "rows": t.rows,
                "bytes": t.bytes,
                "seconds": t.seconds,
            }
            for t in self.tables
        ]


def _layout_text(layout: Mapping[str, Any] | str | os.PathLike[str] | None) -> str | None:
    """A layout as the extension reads it: JSON for a mapping, TOML for a file or text."""
    if layout is None:
        return None
    if isinstance(layout, Mapping):
        import json

        return json.dumps(layout)
    if isinstance(layout, os.PathLike) or (
        isinstance(layout, str) and "\n" not in layout and layout.endswith(".toml")
    ):
        return Path(layout).read_text()
    return str(layout)


def generate(
    sf: float,
    format: str = "tbl",
    output: str | os.PathLike[str] = ".",
    *,
    tables: str | Iterable[str] | None = None,
    threads: int | None = None,
    parts: int | None = None,
    part: int | None = None,
    compression: str | None = None,
    row_group_rows: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
    storage_options: Mapping[str, str] | None = None,
    layout: Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> ExportSummary:
    """Writes TPC-H tables to files, in parallel (``.tbl`` output is byte-identical to dbgen).

    The export runs with the GIL released. Ctrl-C (``KeyboardInterrupt``) stops it: the
    unfinished files are removed, the finished ones are kept, and the ``KeyboardInterrupt`` is
    raised again.

    Args:
        sf: Scale factor, 0.001 to 100000.
        format: ``"tbl"`` (dbgen's format), ``"csv"`` (with a header) or ``"parquet"``.
        output: Output directory (created if missing), or an object-store URL
            (``s3://bucket/prefix``, ``gs://…``, ``az://…``): files are uploaded while they are
            generated and published when complete. Files are named ``<table>.<format>``,
            or ``<table>.<format>.<part>`` with ``parts``.
        tables: Table names (a list, or one comma-separated string); default all eight.
        threads: Worker threads, at least 1; default all cores.
        parts: Split the data into this many dbgen chunks (``dbgen -C``) and write only
            ``part``; give both or neither.
        part: The chunk to write, 1 to ``parts`` (``dbgen -S``).
        compression: Parquet compression: ``none``, ``snappy`` (default), ``lz4``,
            ``gzip[:0-9]`` or ``zstd[:1-22]``.
        row_group_rows: Parquet rows per row group (default 524288).
        overwrite: Replace existing files (else an existing file is an error).
        progress: Print a progress line to ``sys.stderr`` while a long export runs.
        storage_options: Settings of the object store a URL ``output`` goes to, after the
            environment's ``AWS_*``/``GOOGLE_*``/``AZURE_*`` variables (object_store's keys:
            ``aws_endpoint``, ``aws_allow_http``, ``aws_region``, ...). Values are never shown.
        layout: The physical layout, the structure ``tpch gen --layout`` reads (docs/layouts.md):
            a dict (``{"lineitem": {"sort": ["l_shipdate"], "partition_by":
            "month(l_shipdate)"}, "all": {"max_file_bytes": "512MiB"}}``), a path to a TOML
            layout file, or TOML text. Sort order, hive partitions, file and row-group sizes,
            Parquet column knobs and the CSV delimiter per table.

    Returns:
        An :class:`ExportSummary`.

    Raises:
        ValueError: invalid scale factor, table, format, parts/part or option, or an existing
            file without ``overwrite``.
        OSError: the output cannot be written.
        KeyboardInterrupt: the export was interrupted (unfinished files removed).
    """
    names: list[str] | None
    if tables is None:
        names = None
    elif isinstance(tables, str):
        names = [t for t in tables.split(",") if t.strip()]
    else:
        names = [str(t) for t in tables]
    raw = _internal.generate(
        sf,
        format,
        os.fspath(output),
        names,
        threads,
        parts,
        part,
        compression,
        row_group_rows,
        bool(overwrite),
        bool(progress),
        None if storage_options is None else {str(k): str(v) for k, v in storage_options.items()},
        _layout_text(layout),
    )
    return ExportSummary(
        tables=tuple(
            TableSummary(
                table=t["table"],
                files=tuple(f if "://" in f else Path(f) for f in t["files"]),
                rows=t["rows"],
                bytes=t["bytes"],
                seconds=t["seconds"],
            )
            for t in raw["tables"]
        ),
        seconds=raw["seconds"],
        backend=raw["backend"],
        stale_removed=tuple(Path(f) for f in raw["stale_removed"]),
    )


# --------------------------------------------------------------------------------------------
# Queries and answers


def queries() -> list[str]:
    """The 22 TPC-H queries with the validation parameters (``queries()[0]`` is Q1), in SQL
    that DataFusion runs over the tables of :func:`register_tpch`."""
    return list(_internal.queries())


def query(n: int) -> str:
    """The SQL of TPC-H query ``n`` (1 to 22).

    Raises:
        ValueError: ``n`` is not 1 to 22.
    """
    return _internal.query(n)


def answer_text(sf: float, n: int) -> str:
    """The official answer of query ``n`` at scale factor ``sf`` as text: pipe-separated, with
    a header line (fields may be double-quoted; an unquoted empty field is NULL).

    Raises:
        ValueError: ``n`` is not 1 to 22, or there is no official answer at ``sf`` (there are
            at :data:`ANSWER_SCALE_FACTORS`).
    """
    text = _internal.answer_text(sf, n)
    if text is None:
        known = ", ".join(f"{s:g}" for s in ANSWER_SCALE_FACTORS)
        raise ValueError(f"no official answer at scale factor {sf}: there are answers at SF {known}")
    return text


def answer(sf: float, n: int) -> pa.Table:
    """The official answer of query ``n`` at scale factor ``sf`` as a ``pyarrow.Table``.

    Column types are inferred from the text (decimals become ``double``); to compare a result
    with the answer use :func:`check_answer`, which compares by the result's own types.

    Raises:
        ValueError: as :func:`answer_text`.
    """
    import pyarrow.csv as pacsv

    text = answer_text(sf, n)
    return pacsv.read_csv(
        io.BytesIO(text.encode()),
        parse_options=pacsv.ParseOptions(delimiter="|"),
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )


def _arrow_stream_source(result: Any) -> Any:
    """``result`` as an object exporting ``__arrow_c_stream__``."""
    import pyarrow as pa

    if isinstance(result, pa.RecordBatch):
        return pa.Table.from_batches([result])
    if hasattr(result, "__arrow_c_stream__"):
        return result
    if isinstance(result, Iterable):
        batches = [b.to_pyarrow() if hasattr(b, "to_pyarrow") else b for b in result]
        if not batches:
            return pa.table({})
        return pa.Table.from_batches(batches)
    raise TypeError(
        "expected a query result: a datafusion DataFrame, a pyarrow Table, RecordBatch or "
        f"RecordBatchReader, or a list of record batches; got {type(result).__name__}"
    )


def check_answer(result: Any, sf: float, n: int, *, expected: str | None = None) -> None:
    """Checks a query result against the official answer of query ``n`` at ``sf``.

    Decimals are compared as numbers within 0.01, floats within a relative 1e-9, everything
    else by its text; rows in order; column names are not compared.

    Args:
        result: A datafusion ``DataFrame`` (executed here), a ``pyarrow.Table``,
            ``RecordBatch`` or ``RecordBatchReader``, a list of record batches (e.g.
            ``df.collect()``), or anything with ``__arrow_c_stream__``.
        sf: The scale factor the data was generated at.
        n: The query number, 1 to 22.
        expected: An answer text to use instead of the official one (same format as
            :func:`answer_text`).

    Raises:
        AnswerMismatch: the result differs (a subclass of ``AssertionError`` and
            ``ValueError``).
        ValueError: bad ``n``, or no official answer at ``sf``.
    """
    text = answer_text(sf, n) if expected is None else expected
    mismatch = _internal.check_answer(_arrow_stream_source(result), text)
    if mismatch is not None:
        raise AnswerMismatch(f"Q{n:02} at SF {sf:g}: {mismatch}")
