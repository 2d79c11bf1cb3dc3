//! [`RowFilter`]: inclusive value ranges on integer-valued columns, applied while batches are
//! built, so a scan can answer `WHERE l_shipdate <= DATE '1998-09-02'` itself (exactly) instead
//! of handing every row to a filter operator that copies the survivors twice.
//!
//! A bound compares a column's raw value: the integer of `Int32`/`Int64` keys and counts, the
//! day number of `Date32`, the unscaled integer of `Decimal128` (hundredths for TPC-H money).
//! Every such predicate on one column (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN`) is an inclusive
//! interval of raw values, since all of them are integers.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{DataType, Date32Type, Decimal128Type, Int32Type, Int64Type};
use arrow::error::ArrowError;

/// Rows whose `column` (an index into the table's schema) holds a raw value in `low..=high`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnBound {
    /// Column index in the table's full schema.
    pub column: usize,
    /// Smallest raw value kept.
    pub low: i128,
    /// Largest raw value kept.
    pub high: i128,
}

impl ColumnBound {
    /// Rows with `low <= column <= high`.
    pub const fn new(column: usize, low: i128, high: i128) -> Self {
        ColumnBound { column, low, high }
    }

    /// True when no value passes.
    pub const fn is_empty(&self) -> bool {
        self.low > self.high
    }

    /// Which rows of `array` (this bound's column) pass; a null never passes.
    pub fn evaluate(&self, array: &dyn Array) -> Result<BooleanBuffer, ArrowError> {
        let (low, high) = (self.low, self.high);
        let len = array.len();
        let keep = match array.data_type() {
            DataType::Int64 => within(array.as_primitive::<Int64Type>().values(), low, high),
            DataType::Int32 => within(array.as_primitive::<Int32Type>().values(), low, high),
            DataType::Date32 => within(array.as_primitive::<Date32Type>().values(), low, high),
            DataType::Decimal128(..) => {
                let values = array.as_primitive::<Decimal128Type>().values();
                BooleanBuffer::collect_bool(len, |i| (low..=high).contains(&values[i]))
            }
            other => {
                return Err(ArrowError::InvalidArgumentError(format!(
                    "column {} of type {other} cannot be range-filtered",
                    self.column
                )));
            }
        };
        Ok(match array.logical_nulls() {
            Some(valid) => &keep & valid.inner(),
            None => keep,
        })
    }
}

/// Rows of `values` within `low..=high`, the bounds clamped to the values' type (a bound
/// beyond it keeps everything on that side).
fn within<T: Copy + Into<i128> + TryFrom<i128> + PartialOrd + Bounded>(
    values: &[T],
    low: i128,
    high: i128,
) -> BooleanBuffer {
    let clamp = |v: i128| {
        let v = v.clamp(T::MIN.into(), T::MAX.into());
        T::try_from(v).unwrap_or(T::MIN)
    };
    if low > high {
        return BooleanBuffer::new_unset(values.len());
    }
    let (low, high) = (clamp(low), clamp(high));
    BooleanBuffer::collect_bool(values.len(), |i| low <= values[i] && values[i] <= high)
}

/// The range of a primitive integer type.
trait Bounded: Sized {
    const MIN: Self;
    const MAX: Self;
}

impl Bounded for i32 {
    const MIN: Self = i32::MIN;
    const MAX: Self = i32::MAX;
}

impl Bounded for i64 {
    const MIN: Self = i64::MIN;
    const MAX: Self = i64::MAX;
}

/// A condition on some of a table's columns that a scan may check while it builds batches,
/// before it generates the other columns (late materialisation): any predicate DataFusion
/// pushes into a scan as `Inexact`, which DataFusion checks again above the scan.
pub trait BatchPredicate: Send + Sync + std::fmt::Debug + std::fmt::Display {
    /// The columns it reads (indices into the table's schema), in the order
    /// [`evaluate`](Self::evaluate) takes them.
    fn columns(&self) -> &[usize];
    /// Which of `rows` rows pass, given the arrays of [`columns`](Self::columns); a null
    /// result never passes.
    fn evaluate(&self, rows: usize, arrays: Vec<ArrayRef>) -> Result<BooleanBuffer, ArrowError>;
}

/// All bounds and predicates a scan applies (their conjunction); empty keeps every row.
#[derive(Clone, Debug, Default)]
pub struct RowFilter {
    bounds: Vec<ColumnBound>,
    predicates: Vec<Arc<dyn BatchPredicate>>,
}

/// Filters are equal when their bounds are and their predicates read the same (predicates are
/// compared by their text).
impl PartialEq for RowFilter {
    fn eq(&self, other: &Self) -> bool {
        let text =
            |f: &RowFilter| -> Vec<String> { f.predicates.iter().map(|p| p.to_string()).collect() };
        self.bounds == other.bounds && text(self) == text(other)
    }
}

impl Eq for RowFilter {}

impl RowFilter {
    /// The conjunction of `bounds` (bounds on the same column are intersected).
    pub fn new(bounds: impl IntoIterator<Item = ColumnBound>) -> Self {
        let mut merged: Vec<ColumnBound> = Vec::new();
        for b in bounds {
            match merged.iter_mut().find(|m| m.column == b.column) {
                Some(m) => {
                    m.low = m.low.max(b.low);
                    m.high = m.high.min(b.high);
                }
                None => merged.push(b),
            }
        }
        RowFilter {
            bounds: merged,
            predicates: Vec::new(),
        }
    }

    /// This filter also checking `predicate`.
    pub fn with_predicate(mut self, predicate: Arc<dyn BatchPredicate>) -> Self {
        self.predicates.push(predicate);
        self
    }

    /// True when the filter keeps every row.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty() && self.predicates.is_empty()
    }

    /// The predicates checked after the bounds.
    pub fn predicates(&self) -> &[Arc<dyn BatchPredicate>] {
        &self.predicates
    }

    /// Every column the filter reads (bound and predicate columns; may repeat).
    pub fn columns(&self) -> impl Iterator<Item = usize> + '_ {
        let read = self
            .predicates
            .iter()
            .flat_map(|p| p.columns().iter().copied());
        self.bounds.iter().map(|b| b.column).chain(read)
    }

    /// The bounds, one per column.
    pub fn bounds(&self) -> &[ColumnBound] {
        &self.bounds
    }

    /// True when some bound keeps no value at all (the scan can skip generating).
    pub fn rejects_everything(&self) -> bool {
        self.bounds.iter().any(ColumnBound::is_empty)
    }

    /// Which of `rows` rows pass, given each bound's column from `column` (`None` if every row
    /// passes: the caller skips the filtering).
    pub fn evaluate(
        &self,
        rows: usize,
        mut column: impl FnMut(usize) -> Result<ArrayRef, ArrowError>,
    ) -> Result<Option<BooleanBuffer>, ArrowError> {
        let mut keep: Option<BooleanBuffer> = None;
        for bound in &self.bounds {
            let array = column(bound.column)?;
            if array.len() != rows {
                return Err(ArrowError::ComputeError(format!(
                    "filter column {} has {} values for {rows} rows",
                    bound.column,
                    array.len()
                )));
            }
            let pass = bound.evaluate(array.as_ref())?;
            keep = Some(match keep {
                Some(k) => &k & &pass,
                None => pass,
            });
        }
        for predicate in &self.predicates {
            let arrays = predicate.columns().iter().map(|&c| column(c));
            let pass = predicate.evaluate(rows, arrays.collect::<Result<_, _>>()?)?;
            if pass.len() != rows {
                return Err(ArrowError::ComputeError(format!(
                    "filter {predicate} gave {} values for {rows} rows",
                    pass.len()
                )));
            }
            keep = Some(match keep {
                Some(k) => &k & &pass,
                None => pass,
            });
        }
        Ok(keep.filter(|k| k.count_set_bits() < rows))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, Decimal128Array, Int32Array, Int64Array, StringArray};

    use super::*;

    #[test]
    fn bounds_keep_inclusive_ranges_of_each_type() {
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![1, 5, 9, -3]));
        let kept = ColumnBound::new(0, 1, 5).evaluate(&ints).unwrap();
        assert_eq!(kept.iter().collect::<Vec<_>>(), [true, true, false, false]);
        let small: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, Some(7)]));
        let kept = ColumnBound::new(0, i128::MIN, i128::MAX)
            .evaluate(&small)
            .unwrap();
        assert_eq!(kept.iter().collect::<Vec<_>>(), [true, false, true]);
        let days: ArrayRef = Arc::new(Date32Array::from(vec![10_000, 10_471, 10_472]));
        let kept = ColumnBound::new(0, i128::MIN, 10_471)
            .evaluate(&days)
            .unwrap();
        assert_eq!(kept.iter().collect::<Vec<_>>(), [true, true, false]);
        let cents: ArrayRef = Arc::new(
            Decimal128Array::from(vec![4, 5, 7, 8])
                .with_precision_and_scale(15, 2)
                .unwrap(),
        );
        let kept = ColumnBound::new(0, 5, 7).evaluate(&cents).unwrap();
        assert_eq!(kept.iter().collect::<Vec<_>>(), [false, true, true, false]);
        // Bounds beyond the type's range clamp; an empty range keeps nothing.
        let kept = ColumnBound::new(0, -(1 << 40), 1 << 40)
            .evaluate(&small)
            .unwrap();
        assert_eq!(kept.count_set_bits(), 2);
        assert_eq!(
            ColumnBound::new(0, 3, 2)
                .evaluate(&ints)
                .unwrap()
                .count_set_bits(),
            0
        );
        let text: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
        assert!(ColumnBound::new(0, 0, 1).evaluate(&text).is_err());
    }

    #[test]
    fn filter_intersects_bounds_and_reports_all_kept_as_none() {
        let filter = RowFilter::new([
            ColumnBound::new(0, 2, 100),
            ColumnBound::new(1, 0, 0),
            ColumnBound::new(0, i128::MIN, 8),
        ]);
        assert_eq!(filter.bounds().len(), 2);
        assert_eq!(filter.bounds()[0], ColumnBound::new(0, 2, 8));
        let a: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 8, 9]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![0, 0, 1, 0]));
        let columns = |c: usize| {
            Ok(if c == 0 {
                std::sync::Arc::clone(&a)
            } else {
                std::sync::Arc::clone(&b)
            })
        };
        let keep = filter.evaluate(4, columns).unwrap().unwrap();
        assert_eq!(keep.iter().collect::<Vec<_>>(), [false, true, false, false]);
        let loose = RowFilter::new([ColumnBound::new(0, 0, 10)]);
        assert_eq!(
            loose
                .evaluate(4, |_| Ok(std::sync::Arc::clone(&a)))
                .unwrap(),
            None
        );
        assert!(RowFilter::new([ColumnBound::new(0, 5, 1)]).rejects_everything());
        assert!(RowFilter::default().is_empty());
        assert!(
            filter
                .evaluate(3, |_| Ok(std::sync::Arc::clone(&a)))
                .is_err()
        );
    }
}
