//! The benchmark as table functions: the queries, qgen's query streams, the official answers
//! and dbgen's refresh sets, so that a whole TPC-H run can be written in SQL.
//!
//! | function | columns |
//! |---|---|
//! | `tpch_queries()` | `query_nr INT, query VARCHAR`: the 22 queries with the validation parameters ([`QUERIES`]) |
//! | `tpch_queries(sf, seed, stream)` | `position INT, query_nr INT, query VARCHAR, parameters VARCHAR`: a qgen stream |
//! | `tpch_answers()` | `query_nr INT, scale_factor DOUBLE, answer VARCHAR`: the embedded answers |
//! | `tpch_refresh_orders(sf, set)` | the `orders` columns: the rows RF1 inserts (`orders.tbl.uK`) |
//! | `tpch_refresh_lineitem(sf, set)` | the `lineitem` columns: the rows RF1 inserts (`lineitem.tbl.uK`) |
//! | `tpch_refresh_deletes(sf, set)` | `o_orderkey BIGINT`: the orders RF2 deletes (`delete.K`) |
//!
//! `tpch_queries(sf, seed, stream)` is `tpch queries --sf SF --seed SEED --stream STREAM`: the
//! queries in the stream's order, with `parameters` the query's line of qgen's parameter log
//! without the query number (the values separated by tabs). `seed` and `stream` may be `NULL`
//! (or left out from the end): no seed is the validation parameters (`qgen -d`), no stream is
//! queries 1 to 22 in order. Arguments can also be named (`tpch_queries(sf => 1, seed => 7,
//! stream => 2)`, `tpch_refresh_orders(sf => 1, set => 1)`) in sessions where
//! [`register_tpch_functions`](super::register_tpch_functions) registered the
//! [`NamedArgumentPlanner`] (DataFusion 55's own planner takes only positional arguments).
//!
//! Every argument is a literal; anything else — a column, an expression, a number out of range
//! (set 0 or beyond [`MAX_REFRESH_SETS`], a negative seed or one beyond [`MAX_SEED`], a stream
//! beyond 40), a scale factor too small for refresh sets — is a one-line planning error.
//!
//! ```
//! use datafusion::prelude::SessionContext;
//! use datafusion_dbgen::provider::register_tpch_functions;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! register_tpch_functions(&ctx);
//! ctx.sql("CREATE TABLE orders AS SELECT * FROM tpch_orders(0.01)").await?.collect().await?;
//! // RF1 of refresh set 1, in SQL.
//! ctx.sql("INSERT INTO orders SELECT * FROM tpch_refresh_orders(0.01, 1)").await?.collect().await?;
//! let df = ctx.sql("SELECT count(*) FROM orders").await?;
//! let count = df.collect().await?[0].column(0).as_any()
//!     .downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap().value(0);
//! assert_eq!(count, 15_010);
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::streaming::StreamingTable;
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{DataFusionError, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::planner::{
    RelationPlanner, RelationPlannerContext, RelationPlanning,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    self as sql, FunctionArg, FunctionArgExpr, TableFactor, Value, ValueWithSpan,
};

use super::functions::scale_factor;
use crate::arrow::{DEFAULT_BATCH_SIZE, TableBatches, table_schema};
use crate::bench::{ANSWER_SCALE_FACTORS, QUERIES, QUERY_COUNT, answer};
use tpch_dbgen::qgen::{MAX_SEED, QueryStream};
use tpch_dbgen::refresh::MAX_REFRESH_SETS;
use tpch_dbgen::{RefreshSet, ScaleFactor, Table};

/// The highest stream number `tpch_queries` takes: TPC-H Appendix A lists the orders of
/// streams 0 to 40.
pub const MAX_STREAM: u64 = 40;

/// The benchmark's table functions (see the module docs), by SQL name.
pub const BENCH_FUNCTION_NAMES: [&str; 5] = [
    "tpch_queries",
    "tpch_answers",
    "tpch_refresh_orders",
    "tpch_refresh_lineitem",
    "tpch_refresh_deletes",
];

/// One of the benchmark's table functions (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchFunction {
    /// `tpch_queries()` and `tpch_queries(sf, seed, stream)`.
    Queries,
    /// `tpch_answers()`.
    Answers,
    /// `tpch_refresh_orders(sf, set)`.
    RefreshOrders,
    /// `tpch_refresh_lineitem(sf, set)`.
    RefreshLineitem,
    /// `tpch_refresh_deletes(sf, set)`.
    RefreshDeletes,
}

impl BenchFunction {
    /// All of them, in the order of [`BENCH_FUNCTION_NAMES`].
    pub const ALL: [BenchFunction; 5] = [
        BenchFunction::Queries,
        BenchFunction::Answers,
        BenchFunction::RefreshOrders,
        BenchFunction::RefreshLineitem,
        BenchFunction::RefreshDeletes,
    ];

    /// The function's SQL name (`tpch_queries`, …).
    pub fn name(self) -> &'static str {
        match self {
            BenchFunction::Queries => "tpch_queries",
            BenchFunction::Answers => "tpch_answers",
            BenchFunction::RefreshOrders => "tpch_refresh_orders",
            BenchFunction::RefreshLineitem => "tpch_refresh_lineitem",
            BenchFunction::RefreshDeletes => "tpch_refresh_deletes",
        }
    }

    /// The function named `name` (case-insensitive), if it is one of these.
    pub fn from_name(name: &str) -> Option<BenchFunction> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The names of its parameters, in their positional order.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            BenchFunction::Queries => &["sf", "seed", "stream"],
            BenchFunction::Answers => &[],
            _ => &["sf", "set"],
        }
    }

    fn usage(self) -> &'static str {
        match self {
            BenchFunction::Queries => "tpch_queries() or tpch_queries(sf, seed, stream)",
            BenchFunction::Answers => "tpch_answers()",
            BenchFunction::RefreshOrders => "tpch_refresh_orders(sf, set)",
            BenchFunction::RefreshLineitem => "tpch_refresh_lineitem(sf, set)",
            BenchFunction::RefreshDeletes => "tpch_refresh_deletes(sf, set)",
        }
    }

    /// The table the function returns for `args` (literals; see the module docs).
    pub fn call(self, args: &[Expr]) -> Result<Arc<dyn TableProvider>> {
        let max = self.parameters().len();
        if args.len() > max {
            return Err(self.error(format!(
                "takes at most {max} argument{}, got {}",
                if max == 1 { "" } else { "s" },
                args.len()
            )));
        }
        match self {
            BenchFunction::Queries if args.is_empty() => validation_queries(),
            BenchFunction::Queries => {
                let sf = self.scale_factor(args)?;
                let seed = self.integer(args, 1, "seed", MAX_SEED)?;
                let stream = self
                    .integer(args, 2, "stream", MAX_STREAM)?
                    .map(|s| s as usize);
                let stream =
                    QueryStream::new(sf, seed, stream).map_err(|e| self.error(e.to_string()))?;
                stream_queries(&stream)
            }
            BenchFunction::Answers => answers(),
            BenchFunction::RefreshOrders
            | BenchFunction::RefreshLineitem
            | BenchFunction::RefreshDeletes => {
                let sf = self.scale_factor(args)?;
                let Some(number) = self.integer(args, 1, "set", u64::from(MAX_REFRESH_SETS))?
                else {
                    return Err(self.error("the refresh set (1, 2, …) is missing".into()));
                };
                if number == 0 {
                    return Err(self.error(format!(
                        "refresh set 0 out of range: sets are numbered 1 to {MAX_REFRESH_SETS}"
                    )));
                }
                let set = RefreshSet::try_new(&sf, number as u32)
                    .map_err(|e| self.error(e.to_string()))?;
                match self {
                    BenchFunction::RefreshOrders => refresh_rows(set, Table::Orders),
                    BenchFunction::RefreshLineitem => refresh_rows(set, Table::Lineitem),
                    _ => refresh_deletes(&set),
                }
            }
        }
    }

    /// A planning error naming the function and its use.
    fn error(self, message: String) -> DataFusionError {
        DataFusionError::Plan(format!(
            "{}: {message} (usage: {})",
            self.name(),
            self.usage()
        ))
    }

    /// The scale factor, argument 0 (required).
    fn scale_factor(self, args: &[Expr]) -> Result<ScaleFactor> {
        let arg = &args[0];
        if is_null(arg) {
            return Err(self.error("the scale factor (sf) is missing".into()));
        }
        let Some(value) = literal(arg).as_ref().and_then(scale_factor_value) else {
            return Err(self.error(format!(
                "the scale factor must be a number literal, got {arg}"
            )));
        };
        ScaleFactor::try_new(value).map_err(|e| self.error(e.to_string()))
    }

    /// Argument `i`, `name`: a whole number literal in `0..=max`, or `None` when absent or NULL.
    fn integer(self, args: &[Expr], i: usize, name: &str, max: u64) -> Result<Option<u64>> {
        let Some(arg) = args.get(i).filter(|a| !is_null(a)) else {
            return Ok(None);
        };
        let out_of_range = |v: &dyn std::fmt::Display| {
            self.error(format!("{name} {v} out of range: expected 0 to {max}"))
        };
        match literal(arg).as_ref().and_then(whole_number) {
            Some(v) if v < 0 => Err(out_of_range(&v)),
            Some(v) if v as u128 > u128::from(max) => Err(out_of_range(&v)),
            Some(v) => Ok(Some(v as u64)),
            None => Err(self.error(format!(
                "the {name} must be a whole number literal, got {arg}"
            ))),
        }
    }
}

/// A literal's value: `Expr::Literal`, or a negated one (`-1`).
fn literal(arg: &Expr) -> Option<ScalarValue> {
    match arg {
        Expr::Literal(value, _) => Some(value.clone()),
        Expr::Negative(inner) => match inner.as_ref() {
            Expr::Literal(value, _) => value.arithmetic_negate().ok(),
            _ => None,
        },
        Expr::Cast(cast) => literal(&cast.expr)?.cast_to(cast.field.data_type()).ok(),
        _ => None,
    }
}

fn is_null(arg: &Expr) -> bool {
    literal(arg).is_some_and(|v| v.is_null())
}

fn scale_factor_value(value: &ScalarValue) -> Option<f64> {
    scale_factor(&Expr::Literal(value.clone(), None))
}

/// An integer literal (or a number/string literal holding a whole number).
fn whole_number(value: &ScalarValue) -> Option<i128> {
    match value {
        ScalarValue::Int8(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Int16(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Int32(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(i128::from(*v)),
        ScalarValue::UInt8(Some(v)) => Some(i128::from(*v)),
        ScalarValue::UInt16(Some(v)) => Some(i128::from(*v)),
        ScalarValue::UInt32(Some(v)) => Some(i128::from(*v)),
        ScalarValue::UInt64(Some(v)) => Some(i128::from(*v)),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s.trim().parse().ok(),
        other => {
            let v = scale_factor_value(other)?;
            (v.fract() == 0.0 && v.abs() < 1e30).then_some(v as i128)
        }
    }
}

fn memory_table(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<Arc<dyn TableProvider>> {
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
    Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
}

fn strings<S: AsRef<str>>(values: impl Iterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn int32_column(values: impl Iterator<Item = usize>) -> ArrayRef {
    Arc::new(values.map(|v| v as i32).collect::<Int32Array>())
}

/// `tpch_queries()`: `(query_nr, query)`, the validation queries.
fn validation_queries() -> Result<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("query_nr", DataType::Int32, false),
        Field::new("query", DataType::Utf8, false),
    ]));
    memory_table(
        schema,
        vec![int32_column(1..=QUERY_COUNT), strings(QUERIES.iter())],
    )
}

/// `tpch_queries(sf, seed, stream)`: `(position, query_nr, query, parameters)`.
fn stream_queries(stream: &QueryStream) -> Result<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("position", DataType::Int32, false),
        Field::new("query_nr", DataType::Int32, false),
        Field::new("query", DataType::Utf8, false),
        Field::new("parameters", DataType::Utf8, false),
    ]));
    let queries = stream.queries();
    memory_table(
        schema,
        vec![
            int32_column(1..=queries.len()),
            int32_column(queries.iter().map(|q| q.number)),
            strings(queries.iter().map(|q| q.sql.as_str())),
            strings(queries.iter().map(|q| q.parameters.join("\t"))),
        ],
    )
}

/// `tpch_answers()`: `(query_nr, scale_factor, answer)` for every embedded answer.
fn answers() -> Result<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("query_nr", DataType::Int32, false),
        Field::new("scale_factor", DataType::Float64, false),
        Field::new("answer", DataType::Utf8, false),
    ]));
    let rows: Vec<(usize, f64, &str)> = ANSWER_SCALE_FACTORS
        .iter()
        .flat_map(|&sf| (1..=QUERY_COUNT).filter_map(move |n| Some((n, sf, answer(sf, n)?))))
        .collect();
    memory_table(
        schema,
        vec![
            int32_column(rows.iter().map(|r| r.0)),
            Arc::new(rows.iter().map(|r| r.1).collect::<Float64Array>()),
            strings(rows.iter().map(|r| r.2)),
        ],
    )
}

/// `tpch_refresh_orders`/`tpch_refresh_lineitem`: the set's RF1 rows, generated while they are
/// scanned (a set at SF 1000 holds 1.5 million orders).
fn refresh_rows(set: RefreshSet, table: Table) -> Result<Arc<dyn TableProvider>> {
    let schema = table_schema(table);
    let partition = RefreshPartition {
        schema: Arc::clone(&schema),
        set,
        table,
    };
    Ok(Arc::new(StreamingTable::try_new(
        schema,
        vec![Arc::new(partition)],
    )?))
}

/// `tpch_refresh_deletes`: the order keys RF2 deletes, ascending.
fn refresh_deletes(set: &RefreshSet) -> Result<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "o_orderkey",
        DataType::Int64,
        false,
    )]));
    memory_table(
        schema,
        vec![Arc::new(set.delete_keys().collect::<Int64Array>())],
    )
}

/// The one partition of a refresh set's rows: the crate's refresh-set batches.
#[derive(Debug)]
struct RefreshPartition {
    schema: SchemaRef,
    set: RefreshSet,
    table: Table,
}

impl PartitionStream for RefreshPartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let batches: Box<dyn Iterator<Item = Result<RecordBatch>> + Send> =
            match TableBatches::refresh_set(&self.set, self.table, DEFAULT_BATCH_SIZE) {
                Ok(batches) => Box::new(batches.map(|b| b.map_err(DataFusionError::from))),
                Err(e) => Box::new(std::iter::once(Err(DataFusionError::from(e)))),
            };
        Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            futures::stream::iter(batches),
        ))
    }
}

/// The table function of one [`BenchFunction`].
#[derive(Debug, Clone, Copy)]
pub struct BenchTableFunction {
    function: BenchFunction,
}

impl BenchTableFunction {
    /// The table function of `function`.
    pub fn new(function: BenchFunction) -> Self {
        BenchTableFunction { function }
    }

    /// Which function it is.
    pub fn function(&self) -> BenchFunction {
        self.function
    }
}

impl TableFunctionImpl for BenchTableFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        self.function.call(args.exprs())
    }
}

/// Registers the benchmark's table functions (see the module docs) and the
/// [`NamedArgumentPlanner`] that lets SQL name their arguments.
pub(super) fn register_bench_functions(ctx: &SessionContext) {
    for function in BenchFunction::ALL {
        ctx.register_udtf(function.name(), Arc::new(BenchTableFunction::new(function)));
    }
    // Only the SQL planner knows named arguments; a session without it (SQL features off)
    // still has the positional form.
    let _ = ctx.register_relation_planner(Arc::new(NamedArgumentPlanner));
}

/// A relation planner that turns named arguments of the benchmark's table functions
/// (`tpch_queries(sf => 1, stream => 2)`) into positional ones (`tpch_queries(1, NULL, 2)`):
/// DataFusion 55 plans table functions with positional arguments only. Other relations pass
/// through untouched.
#[derive(Debug, Clone, Copy, Default)]
pub struct NamedArgumentPlanner;

impl RelationPlanner for NamedArgumentPlanner {
    fn plan_relation(
        &self,
        mut relation: TableFactor,
        _context: &mut dyn RelationPlannerContext,
    ) -> Result<RelationPlanning> {
        if let TableFactor::Table {
            name,
            args: Some(args),
            ..
        } = &mut relation
            && let [part] = name.0.as_slice()
            && let Some(function) = part
                .as_ident()
                .and_then(|ident| BenchFunction::from_name(&ident.value))
        {
            if let Some(column) = args.args.iter().find_map(column_argument) {
                return Err(function.error(format!(
                    "arguments must be literals, got the column {column}"
                )));
            }
            if args
                .args
                .iter()
                .any(|a| !matches!(a, FunctionArg::Unnamed(_)))
            {
                args.args = positional(function, std::mem::take(&mut args.args))?;
            }
        }
        Ok(RelationPlanning::Original(Box::new(relation)))
    }
}

/// The column an argument names, if it is one (`tpch_queries(1, x)`): DataFusion would fail to
/// plan it with a schema error before the function sees it.
fn column_argument(arg: &FunctionArg) -> Option<String> {
    let value = match arg {
        FunctionArg::Unnamed(value)
        | FunctionArg::Named { arg: value, .. }
        | FunctionArg::ExprNamed { arg: value, .. } => value,
    };
    let FunctionArgExpr::Expr(mut expr) = value.clone() else {
        return None;
    };
    loop {
        match expr {
            sql::Expr::Nested(inner) | sql::Expr::UnaryOp { expr: inner, .. } => expr = *inner,
            sql::Expr::Identifier(ident) => return Some(ident.to_string()),
            sql::Expr::CompoundIdentifier(parts) => {
                return Some(
                    parts
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("."),
                );
            }
            _ => return None,
        }
    }
}

/// `args` in `function`'s positional order, gaps filled with `NULL`.
fn positional(function: BenchFunction, args: Vec<FunctionArg>) -> Result<Vec<FunctionArg>> {
    let parameters = function.parameters();
    let mut slots: Vec<Option<FunctionArgExpr>> = vec![None; parameters.len()];
    let mut next = 0;
    for arg in args {
        let (name, value) = match arg {
            FunctionArg::Unnamed(value) => (None, value),
            FunctionArg::Named { name, arg, .. } => (Some(name.value), arg),
            FunctionArg::ExprNamed { name, arg, .. } => match name {
                sql::Expr::Identifier(ident) => (Some(ident.value), arg),
                other => {
                    return Err(function.error(format!("invalid argument name {other}")));
                }
            },
        };
        let index = match name {
            None => {
                let i = next;
                next += 1;
                i
            }
            Some(name) => parameters
                .iter()
                .position(|p| p.eq_ignore_ascii_case(&name))
                .ok_or_else(|| function.error(format!("unknown argument {name}")))?,
        };
        let Some(slot) = slots.get_mut(index) else {
            return Err(function.error(format!("takes at most {} arguments", parameters.len())));
        };
        if slot.is_some() {
            return Err(function.error(format!("argument {} given twice", parameters[index])));
        }
        *slot = Some(value);
    }
    let used = slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    Ok(slots
        .into_iter()
        .take(used)
        .map(|slot| {
            FunctionArg::Unnamed(slot.unwrap_or_else(|| {
                FunctionArgExpr::Expr(sql::Expr::Value(ValueWithSpan::from(Value::Null)))
            }))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int32Type;

    async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
        ctx.sql(sql).await?.collect().await
    }

    fn context() -> SessionContext {
        let ctx = SessionContext::new();
        super::super::register_tpch_functions(&ctx);
        ctx
    }

    #[tokio::test]
    async fn bad_arguments_are_one_line_planning_errors() {
        let ctx = context();
        for (sql, message) in [
            ("SELECT * FROM tpch_queries(1, -1)", "seed -1 out of range"),
            (
                "SELECT * FROM tpch_queries(1, 2147483647)",
                "seed 2147483647 out of range",
            ),
            (
                "SELECT * FROM tpch_queries(1, 1, 41)",
                "stream 41 out of range",
            ),
            (
                "SELECT * FROM tpch_queries(1, 1, -2)",
                "stream -2 out of range",
            ),
            ("SELECT * FROM tpch_queries(1, 1.5)", "whole number literal"),
            (
                "SELECT * FROM tpch_queries(1, 1, 1, 1)",
                "at most 3 arguments",
            ),
            ("SELECT * FROM tpch_queries(-1)", "scale factor"),
            (
                "SELECT * FROM tpch_queries(NULL, 1)",
                "scale factor (sf) is missing",
            ),
            ("SELECT * FROM tpch_queries(now(), 1)", "number literal"),
            (
                "SELECT * FROM tpch_queries(1, 1, random())",
                "whole number literal",
            ),
            ("SELECT * FROM tpch_queries(1, x)", "got the column x"),
            ("SELECT * FROM tpch_answers(1)", "at most 0 arguments"),
            (
                "SELECT * FROM tpch_refresh_orders(0.01, 0)",
                "refresh set 0 out of range",
            ),
            (
                "SELECT * FROM tpch_refresh_lineitem(0.01, 1000)",
                "set 1000 out of range",
            ),
            (
                "SELECT * FROM tpch_refresh_deletes(0.01)",
                "refresh set (1, 2, …) is missing",
            ),
            ("SELECT * FROM tpch_refresh_deletes(0.001, 1)", "too small"),
            (
                "SELECT * FROM tpch_refresh_orders(0.01, 'x')",
                "whole number literal",
            ),
            (
                "SELECT * FROM tpch_refresh_orders(-o.o_orderkey, 1)",
                "column o.o_orderkey",
            ),
            (
                "SELECT * FROM tpch_refresh_orders(sf => 1, nope => 1)",
                "unknown argument nope",
            ),
            ("SELECT * FROM tpch_queries(1, sf => 1)", "given twice"),
        ] {
            let Err(err) = run(&ctx, sql).await else {
                panic!("{sql} succeeded");
            };
            let text = err.to_string();
            assert!(
                matches!(err.find_root(), DataFusionError::Plan(_)),
                "{sql}: not a planning error: {err:?}"
            );
            assert!(text.contains(message), "{sql}: {text}");
            assert!(!text.contains('\n'), "{sql}: {text}");
        }
    }

    #[tokio::test]
    async fn named_and_positional_arguments_agree() {
        let ctx = context();
        let numbers = |batches: Vec<RecordBatch>| -> Vec<i32> {
            batches
                .iter()
                .flat_map(|b| b.column(0).as_primitive::<Int32Type>().values().to_vec())
                .collect()
        };
        let sql = "SELECT query_nr FROM tpch_queries(1, NULL, 1) ORDER BY position";
        let positional = numbers(run(&ctx, sql).await.unwrap());
        let sql = "SELECT query_nr FROM tpch_queries(stream => 1, sf => 1) ORDER BY position";
        let named = numbers(run(&ctx, sql).await.unwrap());
        assert_eq!(positional, named);
        assert_eq!(positional[0], 21);
        let sql = "SELECT count(*) FROM tpch_refresh_deletes(sf => 0.01, set => 2)";
        let batches = run(&ctx, sql).await.unwrap();
        assert_eq!(
            batches[0]
                .column(0)
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                .value(0),
            10
        );
    }

    #[test]
    fn names_round_trip() {
        for (function, name) in BenchFunction::ALL.into_iter().zip(BENCH_FUNCTION_NAMES) {
            assert_eq!(function.name(), name);
            assert_eq!(
                BenchFunction::from_name(&name.to_uppercase()),
                Some(function)
            );
        }
        assert_eq!(BenchFunction::from_name("tpch_lineitem"), None);
    }
}
