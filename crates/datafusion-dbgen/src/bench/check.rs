//! Comparing a query result with an expected answer.

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// How a result differs from the expected answer. Rows and columns are counted from 1, rows
/// without the header line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// The result has a different number of rows.
    #[error("expected {expected} rows, got {got}")]
    RowCount {
        /// Rows in the answer.
        expected: usize,
        /// Rows in the result.
        got: usize,
    },
    /// The result has a different number of columns.
    #[error("expected {expected} columns ({header}), got {got}")]
    ColumnCount {
        /// Columns in the answer.
        expected: usize,
        /// Columns in the result.
        got: usize,
        /// The answer's header line.
        header: String,
    },
    /// A value differs.
    #[error(
        "row {row}, column {column} ({name}): expected {}, got {}",
        show(expected),
        show(got)
    )]
    Value {
        /// Row, from 1.
        row: usize,
        /// Column, from 1.
        column: usize,
        /// The column's name in the answer's header.
        name: String,
        /// The answer's value (`None` for NULL).
        expected: Option<String>,
        /// The result's value (`None` for NULL).
        got: Option<String>,
    },
    /// The answer text itself is malformed.
    #[error("malformed answer: {0}")]
    BadAnswer(String),
}

fn show(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "NULL".to_string(),
    }
}

/// Compares a query result with an expected answer.
///
/// `expected` is the text of a pipe-separated file with a header line, as the embedded answers
/// ([`answer`](super::answer)): fields may be double-quoted (`""` inside for a quote), an
/// unquoted empty field is NULL. The header gives the number of columns; names are not
/// compared (engines name expressions differently). Values are compared by the result
/// column's type:
///
/// - decimals: as numbers, equal within 0.01 (answers print some averages with more or fewer
///   places than a `DECIMAL` has);
/// - floats: as numbers, within a relative 1e-9;
/// - everything else (integers, dates, text): the same text as Arrow prints it.
///
/// Rows are compared in order (every TPC-H query has an `ORDER BY`, and the ones with ties
/// order them the same way in DuckDB and DataFusion).
///
/// ```
/// use datafusion::arrow::array::{Int64Array, RecordBatch};
/// use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// use datafusion_dbgen::bench::{Mismatch, check_answer};
/// use std::sync::Arc;
///
/// let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
/// let batch = RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![1, 2]))]).unwrap();
/// assert!(check_answer(&[batch.clone()], "n\n1\n2\n").is_ok());
/// let err = check_answer(&[batch], "n\n1\n3\n").unwrap_err();
/// assert!(matches!(err, Mismatch::Value { row: 2, column: 1, .. }));
/// assert_eq!(err.to_string(), r#"row 2, column 1 (n): expected "3", got "2""#);
/// ```
pub fn check_answer(batches: &[RecordBatch], expected: &str) -> Result<(), Mismatch> {
    let mut records = parse_answer(expected)?.into_iter();
    let header: Vec<String> = records
        .next()
        .ok_or_else(|| Mismatch::BadAnswer("empty answer: no header line".into()))?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    let want: Vec<Vec<Option<String>>> = records.collect();
    let (got, kinds) = result_rows(batches)?;
    if got.len() != want.len() {
        return Err(Mismatch::RowCount {
            expected: want.len(),
            got: got.len(),
        });
    }
    let columns = kinds.len();
    if !got.is_empty() && columns != header.len() {
        return Err(Mismatch::ColumnCount {
            expected: header.len(),
            got: columns,
            header: header.join("|"),
        });
    }
    for (r, (g, w)) in got.iter().zip(&want).enumerate() {
        if w.len() != header.len() {
            return Err(Mismatch::BadAnswer(format!(
                "row {} has {} fields, the header {}",
                r + 1,
                w.len(),
                header.len()
            )));
        }
        for (c, ((gv, wv), kind)) in g.iter().zip(w).zip(&kinds).enumerate() {
            if !matches(*kind, gv.as_deref(), wv.as_deref()) {
                return Err(Mismatch::Value {
                    row: r + 1,
                    column: c + 1,
                    name: header[c].clone(),
                    expected: wv.clone(),
                    got: gv.clone(),
                });
            }
        }
    }
    Ok(())
}

/// How a result column is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    Decimal,
    Float,
    Exact,
}

fn compare_kind(t: &DataType) -> Compare {
    match t {
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Compare::Decimal,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Compare::Float,
        _ => Compare::Exact,
    }
}

fn matches(kind: Compare, got: Option<&str>, want: Option<&str>) -> bool {
    let (got, want) = match (got, want) {
        (None, None) => return true,
        (Some(g), Some(w)) => (g, w),
        _ => return false,
    };
    if got == want {
        return true;
    }
    let numbers = || {
        Some((
            got.trim().parse::<f64>().ok()?,
            want.trim().parse::<f64>().ok()?,
        ))
    };
    match kind {
        Compare::Exact => false,
        Compare::Decimal => numbers().is_some_and(|(a, b)| (a - b).abs() <= 0.01 + 1e-12 * b.abs()),
        Compare::Float => numbers().is_some_and(|(a, b)| {
            let diff = (a - b).abs();
            diff <= 1e-9 || diff <= 1e-9 * a.abs().max(b.abs())
        }),
    }
}

/// The result as text (`None` for NULL), with each column's comparison kind.
type Rows = Vec<Vec<Option<String>>>;

fn result_rows(batches: &[RecordBatch]) -> Result<(Rows, Vec<Compare>), Mismatch> {
    let options = FormatOptions::default();
    let mut rows = Vec::new();
    let mut kinds = Vec::new();
    for batch in batches {
        kinds = batch
            .schema()
            .fields()
            .iter()
            .map(|f| compare_kind(f.data_type()))
            .collect();
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Mismatch::BadAnswer(format!("cannot format the result: {e}")))?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| (!c.is_null(row)).then(|| f.value(row).to_string()))
                    .collect(),
            );
        }
    }
    Ok((rows, kinds))
}

/// Parses pipe-separated text into records of fields (`None` = unquoted empty = NULL).
fn parse_answer(text: &str) -> Result<Vec<Vec<Option<String>>>, Mismatch> {
    let mut records = Vec::new();
    let mut record: Vec<Option<String>> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    // Whether anything of the current record has been read (so a last line without a newline
    // still counts, and the final newline does not start an extra record).
    let mut started = false;
    let mut chars = text.chars().peekable();
    let end_field = |field: &mut String, quoted: &mut bool, record: &mut Vec<Option<String>>| {
        let value = std::mem::take(field);
        record.push(if value.is_empty() && !*quoted {
            None
        } else {
            Some(value)
        });
        *quoted = false;
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !quoted => {
                quoted = true;
                started = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(other) => field.push(other),
                        None => {
                            return Err(Mismatch::BadAnswer(format!(
                                "unterminated quoted field on line {}",
                                records.len() + 1
                            )));
                        }
                    }
                }
            }
            '|' => {
                end_field(&mut field, &mut quoted, &mut record);
                started = true;
            }
            '\n' => {
                if field.ends_with('\r') && !quoted {
                    field.pop();
                }
                end_field(&mut field, &mut quoted, &mut record);
                records.push(std::mem::take(&mut record));
                started = false;
            }
            other => {
                field.push(other);
                started = true;
            }
        }
    }
    if started {
        end_field(&mut field, &mut quoted, &mut record);
        records.push(record);
    }
    Ok(records)
}

impl Mismatch {
    /// A one-line description prefixed with the query (`q05: row 2, column 1 ...`).
    pub fn for_query(&self, n: usize) -> String {
        format!("q{n:02}: {self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Decimal128Array, Float64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("price", DataType::Decimal128(15, 2), true),
            Field::new("avg", DataType::Float64, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![Some("a|b"), None])),
                Arc::new(
                    Decimal128Array::from(vec![Some(12345), Some(-5)])
                        .with_precision_and_scale(15, 2)
                        .unwrap(),
                ),
                Arc::new(Float64Array::from(vec![Some(0.1), None])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn matching_answer() {
        let text = "name|price|avg\n\"a|b\"|123.4500|0.1000000000001\n|-0.05|\n";
        assert_eq!(check_answer(&[batch()], text), Ok(()));
        // Without the final newline, and with CRLF.
        let text = "name|price|avg\r\n\"a|b\"|123.45|0.1\r\n|-0.05|";
        assert_eq!(check_answer(&[batch()], text), Ok(()));
    }

    #[test]
    fn mismatches() {
        let err = check_answer(&[batch()], "name|price|avg\n\"a|b\"|123.47|0.1\n|-0.05|\n");
        assert!(
            matches!(&err, Err(Mismatch::Value { row: 1, column: 2, name, .. }) if name == "price")
        );
        let err = check_answer(&[batch()], "name|price|avg\n\"a|b\"|123.45|0.1\nx|-0.05|\n");
        assert_eq!(
            err.unwrap_err().to_string(),
            "row 2, column 1 (name): expected \"x\", got NULL"
        );
        let err = check_answer(&[batch()], "name|price|avg\n\"a|b\"|123.45|0.1\n");
        assert_eq!(
            err,
            Err(Mismatch::RowCount {
                expected: 1,
                got: 2
            })
        );
        let err = check_answer(&[batch()], "name|price\n\"a|b\"|123.45\n|-0.05\n");
        assert!(matches!(
            err,
            Err(Mismatch::ColumnCount {
                expected: 2,
                got: 3,
                ..
            })
        ));
        assert!(matches!(
            check_answer(&[batch()], ""),
            Err(Mismatch::BadAnswer(_))
        ));
        assert!(matches!(
            check_answer(&[batch()], "a\n\"x"),
            Err(Mismatch::BadAnswer(_))
        ));
    }

    #[test]
    fn null_row() {
        // One row with one NULL (Q17 at SF 0.01): header, then an empty line.
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
        let b =
            RecordBatch::try_new(schema, vec![Arc::new(Float64Array::from(vec![None]))]).unwrap();
        assert_eq!(check_answer(std::slice::from_ref(&b), "x\n\n"), Ok(()));
        assert_eq!(
            check_answer(&[b], "x\n"),
            Err(Mismatch::RowCount {
                expected: 0,
                got: 1
            })
        );
        assert_eq!(check_answer(&[], "x\n"), Ok(()));
    }
}
