"""Type stubs of ``datafusion_dbgen``: TPC-H tables for DataFusion, generated while scanned."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import pyarrow as pa
from datafusion import SessionContext

from ._internal import TpchFunction as TpchFunction
from ._internal import TpchTable as TpchTable

__version__: str
TABLES: tuple[str, ...]
BENCH_FUNCTIONS: tuple[str, ...]
ANSWER_SCALE_FACTORS: tuple[float, ...]

class AnswerMismatch(AssertionError, ValueError):
    """A query result differs from the expected answer."""

def table(name: str, sf: float) -> TpchTable:
    """The TPC-H table ``name`` at scale factor ``sf``, generated while it is scanned."""

def register_tpch(ctx: SessionContext, sf: float, *, schema: str | None = None) -> None:
    """Registers the eight TPC-H tables at scale factor ``sf`` in ``ctx``."""

def register_tpch_functions(ctx: SessionContext) -> None:
    """Registers the table functions ``tpch_<table>(sf)`` and the benchmark's
    (``tpch_queries``, ``tpch_answers``, ``tpch_refresh_orders``, ``tpch_refresh_lineitem``,
    ``tpch_refresh_deletes``) in ``ctx``."""

@dataclass(frozen=True)
class TableSummary:
    """What ``generate`` wrote for one table."""

    table: str
    files: tuple[Path | str, ...]
    rows: int
    bytes: int
    seconds: float

@dataclass(frozen=True)
class ExportSummary:
    """What ``generate`` wrote."""

    tables: tuple[TableSummary, ...]
    seconds: float
    backend: str
    stale_removed: tuple[Path, ...] = ()
    @property
    def rows(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def files(self) -> tuple[Path | str, ...]: ...
    def __getitem__(self, name: str) -> TableSummary: ...
    def __iter__(self) -> Iterator[TableSummary]: ...
    def __len__(self) -> int: ...
    def to_dicts(self) -> list[dict[str, Any]]: ...

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
    """Writes TPC-H tables to files, in parallel (``.tbl`` byte-identical to dbgen)."""

def queries() -> list[str]:
    """The 22 TPC-H queries with the validation parameters."""

def query(n: int) -> str:
    """The SQL of TPC-H query ``n`` (1 to 22)."""

def answer_text(sf: float, n: int) -> str:
    """The official answer of query ``n`` at ``sf`` as pipe-separated text."""

def answer(sf: float, n: int) -> pa.Table:
    """The official answer of query ``n`` at ``sf`` as a ``pyarrow.Table``."""

def check_answer(result: Any, sf: float, n: int, *, expected: str | None = None) -> None:
    """Checks a query result against the official answer; raises ``AnswerMismatch``."""
