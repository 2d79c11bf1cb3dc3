//! Table functions: `SELECT * FROM tpch_lineitem(0.1)` and one per other table, and the
//! benchmark's (`tpch_queries`, `tpch_answers`, `tpch_refresh_*`: [`super::bench_functions`]).

use std::sync::Arc;

use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{ScalarValue, plan_err};
use datafusion::error::Result;
use datafusion::logical_expr::Expr;
use datafusion::prelude::SessionContext;

use super::table::TpchTableProvider;
use tpch_dbgen::Table;

/// Prefix of the table functions' names (`tpch_lineitem`, `tpch_orders`, …).
pub const FUNCTION_PREFIX: &str = "tpch_";

/// Registers `tpch_<table>(sf)` for the eight tables (`SELECT * FROM tpch_orders(0.1)`) and
/// the benchmark's table functions: `tpch_queries()`, `tpch_queries(sf, seed, stream)`,
/// `tpch_answers()`, `tpch_refresh_orders(sf, set)`, `tpch_refresh_lineitem(sf, set)` and
/// `tpch_refresh_deletes(sf, set)` (see [`super::bench_functions`]; their arguments can be
/// named, `tpch_queries(sf => 1, stream => 2)`).
pub fn register_tpch_functions(ctx: &SessionContext) {
    for table in Table::ALL {
        let name = format!("{FUNCTION_PREFIX}{}", table.name());
        ctx.register_udtf(&name, Arc::new(TpchTableFunction::new(table)));
    }
    super::bench_functions::register_bench_functions(ctx);
}

/// The table function of one table: takes the scale factor (a number, or a string holding
/// one) and returns that table's [`TpchTableProvider`].
#[derive(Debug, Clone, Copy)]
pub struct TpchTableFunction {
    table: Table,
}

impl TpchTableFunction {
    /// The function for `table`.
    pub fn new(table: Table) -> Self {
        TpchTableFunction { table }
    }
}

impl TableFunctionImpl for TpchTableFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let name = format!("{FUNCTION_PREFIX}{}", self.table.name());
        let [arg] = args.exprs() else {
            return plan_err!(
                "{name} takes one argument, the scale factor (e.g. {name}(0.1)); got {}",
                args.exprs().len()
            );
        };
        let Some(sf) = scale_factor(arg) else {
            return plan_err!("{name}: the scale factor must be a number literal, got {arg}");
        };
        Ok(Arc::new(TpchTableProvider::try_new(self.table, sf)?))
    }
}

/// The scale factor a literal argument names (a number, or a string holding one).
pub(super) fn scale_factor(arg: &Expr) -> Option<f64> {
    let Expr::Literal(value, _) = arg else {
        return None;
    };
    match value {
        ScalarValue::Float64(Some(v)) => Some(*v),
        ScalarValue::Float32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v as f64),
        ScalarValue::Int32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::UInt64(Some(v)) => Some(*v as f64),
        ScalarValue::Decimal128(Some(v), _, scale) => {
            Some(*v as f64 / 10f64.powi(i32::from(*scale)))
        }
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s.trim().parse().ok(),
        _ => None,
    }
}
