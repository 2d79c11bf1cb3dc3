//! Registering TPC-H in a `SessionContext`: all eight tables at once, and a `tpch` catalog whose
//! schemas are scale factors (`SELECT * FROM tpch.sf1.lineitem`).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;

use super::table::TpchTableProvider;
use tpch_dbgen::{ScaleFactor, Table};

/// Name of the catalog [`register_tpch_catalog`] registers.
pub const TPCH_CATALOG: &str = "tpch";

/// Registers the eight TPC-H tables at scale factor `sf` in the context's default schema,
/// under their own names (`lineitem`, `orders`, …), so the 22 TPC-H queries run unmodified.
///
/// `sf` is an `f64` or a validated [`ScaleFactor`]. Fails on a bad scale factor, or if one of
/// the names is already taken.
pub fn register_tpch<S>(ctx: &SessionContext, sf: S) -> Result<()>
where
    S: TryInto<ScaleFactor>,
    crate::Error: From<S::Error>,
{
    let sf = sf.try_into().map_err(crate::Error::from)?;
    for table in Table::ALL {
        let provider = TpchTableProvider::with_scale_factor(table, sf);
        ctx.register_table(table.name(), Arc::new(provider))?;
    }
    Ok(())
}

/// Registers the `tpch` catalog: schema `sf<N>` holds the eight tables at scale factor N,
/// written with `_` for the decimal point (`tpch.sf0_01.lineitem`, `tpch.sf1.orders`,
/// `tpch.sf10.part`). Any valid scale factor resolves on demand; a few common ones are listed
/// by `SHOW TABLES` / `information_schema`.
pub fn register_tpch_catalog(ctx: &SessionContext) {
    ctx.register_catalog(TPCH_CATALOG, Arc::new(TpchCatalog));
}

/// The schema name of scale factor `sf` in the `tpch` catalog (`0.01` → `sf0_01`).
pub fn schema_name(sf: f64) -> String {
    format!("sf{sf}").replace('.', "_")
}

/// The scale factor a `tpch` schema name stands for (`sf0_01`, `SF1`, `sf0.1`), if valid.
pub fn parse_schema_name(name: &str) -> Option<ScaleFactor> {
    let digits = name
        .get(..2)?
        .eq_ignore_ascii_case("sf")
        .then(|| &name[2..])?;
    let number = digits.replace('_', ".");
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    ScaleFactor::try_new(number.parse().ok()?).ok()
}

/// The `tpch` catalog: one schema per scale factor, resolved from its name.
#[derive(Debug, Default, Clone, Copy)]
pub struct TpchCatalog;

/// Scale factors the catalog lists (any other valid one still resolves by name).
const LISTED_SCALE_FACTORS: [f64; 5] = [0.01, 0.1, 1.0, 10.0, 100.0];

impl CatalogProvider for TpchCatalog {
    fn schema_names(&self) -> Vec<String> {
        LISTED_SCALE_FACTORS
            .iter()
            .map(|&sf| schema_name(sf))
            .collect()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        Some(match parse_schema_name(name) {
            Some(sf) => Arc::new(TpchSchema::new(sf)),
            // A schema whose tables fail with a message naming the accepted forms (DataFusion's
            // own "failed to resolve schema" would not).
            None => Arc::new(UnknownSchema(name.to_string())),
        })
    }
}

/// The error for a name of the `tpch` catalog that is not a scale factor.
fn unknown_schema(name: &str) -> DataFusionError {
    DataFusionError::Plan(format!(
        "unknown schema '{name}' in catalog '{TPCH_CATALOG}': expected sf<N> with N a scale \
         factor from 0.001 to 100000 and '_' for its decimal point, e.g. sf0_01, sf1, sf10, sf30000"
    ))
}

/// What the catalog answers for a name that is not a scale factor: every table lookup fails
/// with [`unknown_schema`]'s message.
#[derive(Debug)]
struct UnknownSchema(String);

#[async_trait]
impl SchemaProvider for UnknownSchema {
    fn table_names(&self) -> Vec<String> {
        Vec::new()
    }

    async fn table(&self, _name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Err(unknown_schema(&self.0))
    }

    fn table_exist(&self, _name: &str) -> bool {
        false
    }
}

/// The eight tables at one scale factor, as a DataFusion schema.
#[derive(Debug, Clone)]
pub struct TpchSchema {
    sf: ScaleFactor,
}

impl TpchSchema {
    /// The tables at `sf`.
    pub fn new(sf: ScaleFactor) -> Self {
        TpchSchema { sf }
    }

    /// The tables at scale factor `sf` (an `f64` or a [`ScaleFactor`]); fails on a bad scale
    /// factor.
    pub fn try_new<S>(sf: S) -> Result<Self>
    where
        S: TryInto<ScaleFactor>,
        crate::Error: From<S::Error>,
    {
        Ok(TpchSchema::new(sf.try_into().map_err(crate::Error::from)?))
    }
}

#[async_trait]
impl SchemaProvider for TpchSchema {
    fn table_names(&self) -> Vec<String> {
        Table::ALL.iter().map(|t| t.name().to_string()).collect()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Ok(name.parse::<Table>().ok().map(|table| {
            Arc::new(TpchTableProvider::with_scale_factor(table, self.sf)) as Arc<dyn TableProvider>
        }))
    }

    fn table_exist(&self, name: &str) -> bool {
        name.parse::<Table>().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_round_trip() {
        for sf in LISTED_SCALE_FACTORS {
            let parsed = parse_schema_name(&schema_name(sf)).unwrap();
            assert_eq!(parsed.value(), sf);
        }
        assert_eq!(parse_schema_name("SF0.1").unwrap().value(), 0.1);
        for bad in ["sf", "sf0", "x1", "sf-1", "sf1e3", "s", "sf0_0001"] {
            assert!(parse_schema_name(bad).is_none(), "{bad}");
        }
    }
}
