//! Exact filter pushdown: a comparison of one integer-valued column (keys, counts, dates,
//! decimals) with literals is applied by the scan itself, row by row while batches are built,
//! and DataFusion drops its own filter operator.
//!
//! TPC-H's date and price predicates (`l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY`,
//! `l_discount BETWEEN 0.05 AND 0.07`, `o_orderdate >= DATE '1995-01-01'`) reach the provider
//! with their literals folded and cast to the column's type, so each is an inclusive range of
//! the column's raw values ([`ColumnBound`]). The scan generates the column (projected or not),
//! drops the rows outside the range before the other columns become Arrow arrays, and reports
//! the pushdown as `Exact`. Everything else (`OR`, `IN`, strings, expressions over columns)
//! stays with DataFusion; key ranges among them still narrow the generated rows
//! ([`super::keys`]), and on `lineitem` the scan checks them too ([`ScanPredicate`], pushed
//! `Inexact`) so that its generator draws the other columns only for the rows that pass.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::catalog::Session;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, ScalarValue};
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator};
use datafusion::physical_plan::PhysicalExpr;

use crate::arrow::{BatchPredicate, ColumnBound};

/// The bound `expr` puts on one column of `schema`, if the scan can apply it exactly:
/// `column <op> literal` or `literal <op> column` with `=`, `<`, `<=`, `>`, `>=`, or
/// `column BETWEEN literal AND literal`, on an `Int32`, `Int64`, `Date32` or `Decimal128`
/// column with a non-null literal of the same kind.
pub fn column_bound(expr: &Expr, schema: &Schema) -> Option<ColumnBound> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (index, op, value) = match (column_of(left, schema), column_of(right, schema)) {
                (Some(c), None) => (c, *op, raw_value(right, schema.field(c).data_type())?),
                (None, Some(c)) => (c, op.swap()?, raw_value(left, schema.field(c).data_type())?),
                _ => return None,
            };
            let (low, high) = match op {
                Operator::Eq => (value, value),
                Operator::Lt => (i128::MIN, value.checked_sub(1)?),
                Operator::LtEq => (i128::MIN, value),
                Operator::Gt => (value.checked_add(1)?, i128::MAX),
                Operator::GtEq => (value, i128::MAX),
                _ => return None,
            };
            Some(ColumnBound::new(index, low, high))
        }
        Expr::Between(Between {
            expr,
            negated: false,
            low,
            high,
        }) => {
            let index = column_of(expr, schema)?;
            let data_type = schema.field(index).data_type();
            let (low, high) = (raw_value(low, data_type)?, raw_value(high, data_type)?);
            Some(ColumnBound::new(index, low, high))
        }
        _ => None,
    }
}

/// True if the scan can check `expr` itself while building batches, before it generates the
/// columns `expr` does not read (see [`ScanPredicate`]): a deterministic expression over
/// columns of `schema` only. Only `lineitem`'s generator draws columns late, so the caller
/// offers this for `lineitem` alone.
pub fn checkable_in_scan(expr: &Expr, schema: &Schema) -> bool {
    let columns = expr.column_refs();
    !columns.is_empty()
        && columns.iter().all(|c| schema.index_of(&c.name).is_ok())
        && !expr.is_volatile()
        && !expr
            .exists(|e| {
                Ok(matches!(
                    e,
                    Expr::ScalarSubquery(_)
                        | Expr::Exists(_)
                        | Expr::InSubquery(_)
                        | Expr::OuterReferenceColumn(..)
                        | Expr::AggregateFunction(_)
                        | Expr::WindowFunction(_)
                ))
            })
            .unwrap_or(true)
}

/// A filter DataFusion pushed into the scan as `Inexact`, compiled against the columns it
/// reads: the scan drops the rows it rejects before generating its other columns, and
/// DataFusion's own filter above the scan checks the survivors again.
#[derive(Debug)]
pub struct ScanPredicate {
    columns: Vec<usize>,
    schema: SchemaRef,
    expr: Arc<dyn PhysicalExpr>,
    text: String,
}

impl ScanPredicate {
    /// `expr` (over `table`'s columns, qualified or not) compiled by `state`; `None` if it is
    /// not [`checkable_in_scan`] or does not compile.
    pub fn try_new(state: &dyn Session, expr: &Expr, table: &Schema) -> Option<Self> {
        if !checkable_in_scan(expr, table) {
            return None;
        }
        let mut columns: Vec<usize> = expr
            .column_refs()
            .iter()
            .filter_map(|c| table.index_of(&c.name).ok())
            .collect();
        columns.sort_unstable();
        columns.dedup();
        let schema = Arc::new(table.project(&columns).ok()?);
        // The scan's columns are unqualified; so is the expression it checks.
        let unqualified = expr
            .clone()
            .transform(|e| {
                Ok(match e {
                    Expr::Column(c) => {
                        Transformed::yes(Expr::Column(Column::new_unqualified(c.name)))
                    }
                    other => Transformed::no(other),
                })
            })
            .ok()?
            .data;
        let df_schema = DFSchema::try_from(Arc::clone(&schema)).ok()?;
        let compiled = state
            .create_physical_expr(unqualified.clone(), &df_schema)
            .ok()?;
        Some(ScanPredicate {
            columns,
            schema,
            expr: compiled,
            text: unqualified.human_display().to_string(),
        })
    }
}

impl std::fmt::Display for ScanPredicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl BatchPredicate for ScanPredicate {
    fn columns(&self) -> &[usize] {
        &self.columns
    }

    fn evaluate(&self, rows: usize, arrays: Vec<ArrayRef>) -> Result<BooleanBuffer, ArrowError> {
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(Arc::clone(&self.schema), arrays, &options)?;
        let error = |e: datafusion::error::DataFusionError| ArrowError::ComputeError(e.to_string());
        let result = self.expr.evaluate(&batch).map_err(error)?;
        let result = result.into_array(rows).map_err(error)?;
        let Some(passed) = result.as_boolean_opt() else {
            return Err(ArrowError::ComputeError(format!(
                "filter {self} is not a condition ({})",
                result.data_type()
            )));
        };
        Ok(match passed.logical_nulls() {
            Some(valid) => passed.values() & valid.inner(),
            None => passed.values().clone(),
        })
    }
}

/// The index of the range-filterable column `expr` names.
fn column_of(expr: &Expr, schema: &Schema) -> Option<usize> {
    let Expr::Column(Column { name, .. }) = expr else {
        return None;
    };
    let index = schema.index_of(name).ok()?;
    match schema.field(index).data_type() {
        DataType::Int32 | DataType::Int64 | DataType::Date32 | DataType::Decimal128(..) => {
            Some(index)
        }
        _ => None,
    }
}

/// The raw value of literal `expr` compared with a column of `column_type`: integers with
/// integer columns, days with dates, unscaled values with decimals (a literal with fewer decimal
/// places is scaled up; one with more is not an exact bound and is refused).
fn raw_value(expr: &Expr, column_type: &DataType) -> Option<i128> {
    let Expr::Literal(value, _) = expr else {
        return None;
    };
    match (column_type, value) {
        (DataType::Int32 | DataType::Int64, v) => integer(v),
        (DataType::Date32, ScalarValue::Date32(Some(days))) => Some(i128::from(*days)),
        (DataType::Decimal128(_, scale), ScalarValue::Decimal128(Some(v), _, literal_scale)) => {
            let up = u32::try_from(i16::from(*scale) - i16::from(*literal_scale)).ok()?;
            v.checked_mul(10i128.checked_pow(up)?)
        }
        _ => None,
    }
}

/// The value of an integer literal of any width.
pub(crate) fn integer(value: &ScalarValue) -> Option<i128> {
    Some(match value {
        ScalarValue::Int8(Some(v)) => i128::from(*v),
        ScalarValue::Int16(Some(v)) => i128::from(*v),
        ScalarValue::Int32(Some(v)) => i128::from(*v),
        ScalarValue::Int64(Some(v)) => i128::from(*v),
        ScalarValue::UInt8(Some(v)) => i128::from(*v),
        ScalarValue::UInt16(Some(v)) => i128::from(*v),
        ScalarValue::UInt32(Some(v)) => i128::from(*v),
        ScalarValue::UInt64(Some(v)) => i128::from(*v),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::{col, lit};

    use super::*;
    use crate::arrow::table_schema;
    use tpch_dbgen::Table;

    fn bound(expr: Expr) -> Option<ColumnBound> {
        column_bound(&expr, &table_schema(Table::Lineitem))
    }

    fn date(days: i32) -> Expr {
        lit(ScalarValue::Date32(Some(days)))
    }

    fn cents(v: i128, scale: i8) -> Expr {
        lit(ScalarValue::Decimal128(Some(v), 15, scale))
    }

    #[test]
    fn comparisons_become_inclusive_ranges() {
        assert_eq!(
            bound(col("l_shipdate").lt_eq(date(10_471))),
            Some(ColumnBound::new(10, i128::MIN, 10_471))
        );
        assert_eq!(
            bound(date(9_000).lt(col("l_shipdate"))),
            Some(ColumnBound::new(10, 9_001, i128::MAX))
        );
        assert_eq!(
            bound(col("l_discount").between(cents(5, 2), cents(7, 2))),
            Some(ColumnBound::new(6, 5, 7))
        );
        // 24 with no decimals is 2400 hundredths.
        assert_eq!(
            bound(col("l_quantity").lt(cents(24, 0))),
            Some(ColumnBound::new(4, i128::MIN, 2_399))
        );
        assert_eq!(
            bound(col("l_orderkey").eq(lit(7i64))),
            Some(ColumnBound::new(0, 7, 7))
        );
        assert_eq!(
            bound(col("l_linenumber").gt_eq(lit(3i32))),
            Some(ColumnBound::new(3, 3, i128::MAX))
        );
    }

    #[test]
    fn anything_inexact_is_refused() {
        // More decimals than the column has, mismatched types, nulls, strings, OR, NOT BETWEEN,
        // `<>`, two columns, expressions over the column.
        assert_eq!(bound(col("l_discount").gt(cents(5, 3))), None);
        assert_eq!(bound(col("l_shipdate").lt(lit(5i64))), None);
        assert_eq!(bound(col("l_orderkey").lt(date(5))), None);
        assert_eq!(bound(col("l_orderkey").lt(lit(1.5f64))), None);
        assert_eq!(
            bound(col("l_orderkey").lt(lit(ScalarValue::Int64(None)))),
            None
        );
        assert_eq!(bound(col("l_shipmode").eq(lit("MAIL"))), None);
        let either = col("l_orderkey")
            .eq(lit(1i64))
            .or(col("l_orderkey").eq(lit(9i64)));
        assert_eq!(bound(either), None);
        assert_eq!(
            bound(col("l_orderkey").not_between(lit(1i64), lit(5i64))),
            None
        );
        assert_eq!(bound(col("l_orderkey").not_eq(lit(1i64))), None);
        assert_eq!(bound(col("l_commitdate").lt(col("l_receiptdate"))), None);
        assert_eq!(bound((col("l_orderkey") + lit(1i64)).lt(lit(5i64))), None);
        assert_eq!(bound(col("no_such_column").lt(lit(5i64))), None);
    }
}
