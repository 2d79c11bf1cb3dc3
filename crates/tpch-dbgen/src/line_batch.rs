//! `lineitem` one column at a time: the engine behind every `lineitem` row, batch and file, and
//! behind `o_totalprice`/`o_orderstatus` ([`super::order_batch`]).
//!
//! A batch first plans its lines (a `Layout`): per line, its index in its order and the power
//! of 16807 for that draw. Per stream, the orders' start states (four interleaved chains, so
//! the multiplications overlap) are spread over their lines; a column is then one flat loop of
//! `start · power`, `UnifInt` and the column's formula, over exactly the batch's lines, with no
//! branch on the random line counts; the compiler vectorises it (compiled twice, the second
//! time for AVX2, chosen at run time). See `columnar` for why a line's draw is one
//! multiplication from its order's start state. `l_partkey` at scale factors ≥ 30000 is drawn
//! by dbgen's sequential 64-bit generator instead, order by order ([`super::wide`]). The
//! oracle's tests (`oracle`) compare every column with dbgen's order-by-order walk.

use super::columnar::{
    Chains, Divisor, LANES, Layout, OrderStream, for_each_order_start, retail_price_u32, state,
    uniform,
};
use super::columns::ColumnMask;
use super::date::Date;
use super::dists::dists;
use super::fields::{part_supplier, retail_price};
use super::line_columns::{LineColumns, compact};
use super::lineitem::col;
use super::order_streams::{
    COMMITDATE_STREAM, DATE_BASE, DISCOUNT_STREAM, INSTRUCT_STREAM, LAST_ORDER_DAY,
    LINE_COMMENT_STREAM, LINE_COMMENT_TEXT, LINE_COUNT_STREAM, MAX_LINES, ORDERDATE_STREAM,
    OrderKeys, PARTKEY_STREAM, QUANTITY_STREAM, RECEIPTDATE_STREAM, RETURNFLAG_STREAM,
    SHIPDATE_STREAM, SHIPMODE_STREAM, SUPPLIER_STREAM, TAX_STREAM,
};
use super::random::{EXACT_SPAN_LIMIT, POWERS, RandomStream, mul_mod, unif_int, unif_small};
use super::scale::{RowRange, ScaleFactor};
use super::wide::{self, Restarts};
use std::ops::Range;

/// The last day a line can be shipped and still count as shipped (`F`) or returnable.
const CURRENT: i32 = Date::CURRENT.0;

/// `l_partkey`'s stream where dbgen draws it with its 64-bit generator (scale ≥ 30000): drawn
/// in order, restarting at each dbgen chunk ([`wide`]).
#[derive(Clone, Debug)]
struct WidePartkey {
    stream: RandomStream,
    restarts: Restarts,
}

impl WidePartkey {
    fn new(sf: &ScaleFactor, row: u64) -> Self {
        WidePartkey {
            stream: wide::partkey_stream(sf, row),
            restarts: Restarts::after(sf, row),
        }
    }

    /// The keys of the orders from row `first_row` with `counts` lines each.
    fn draw(&mut self, first_row: u64, counts: &[u8], parts: i64, out: &mut [i64]) {
        let mut pos = 0;
        for (row, &count) in (first_row..).zip(counts) {
            if self.restarts.at(row) {
                self.stream = PARTKEY_STREAM.at_row(row);
            }
            for key in &mut out[pos..pos + usize::from(count)] {
                *key = self.stream.uniform64(1, parts);
            }
            self.stream.end_row();
            pos += usize::from(count);
        }
    }
}

/// `l_partkey` below SF 30000: one multiplication per line.
#[inline(always)]
fn draw_partkeys(
    stream: OrderStream,
    parts: i64,
    counts: &[u8],
    layout: &mut Layout,
    out: &mut [i64],
) {
    let l = layout.stream(counts, stream);
    let lines = l.starts.iter().zip(l.power);
    if parts <= EXACT_SPAN_LIMIT {
        for (key, (&s, &p)) in out.iter_mut().zip(lines) {
            *key = unif_small(state(s, p), 1, parts as u64);
        }
    } else {
        for (key, (&s, &p)) in out.iter_mut().zip(lines) {
            *key = unif_int(state(s, p), 1, parts);
        }
    }
}

/// An order's number of lines (1..=7) from `l_linecount`'s state at the order's start.
#[inline(always)]
fn line_count(order_start: i64) -> u8 {
    uniform(mul_mod(order_start, POWERS[1]), 1, MAX_LINES as i64) as u8
}

/// Number of line items of the orders in `orders`, drawing only the line counts (the same
/// interleaved chains as a batch's plan).
pub fn count_lines(sf: &ScaleFactor, orders: RowRange) -> u64 {
    let end = orders.end.min(sf.order_count() as u64).max(orders.start);
    let stream = OrderStream::at(LINE_COUNT_STREAM, orders.start);
    let mut total = 0;
    for_each_order_start(stream, (end - orders.start) as usize, |_, state| {
        total += u64::from(line_count(state));
    });
    total
}

/// `columns` with the columns they are computed from: `l_partkey` for the priced columns, the
/// receipt date for the return flag, the ship date for the status and the receipt date.
fn with_sources(columns: ColumnMask) -> ColumnMask {
    let mut needed = columns;
    if columns.any(&[col::EXTENDEDPRICE, col::SUPPKEY]) {
        needed = needed.union(ColumnMask::of([col::PARTKEY]));
    }
    if columns.has(col::RETURNFLAG) {
        needed = needed.union(ColumnMask::of([col::RECEIPTDATE]));
    }
    if needed.any(&[col::LINESTATUS, col::RECEIPTDATE]) {
        needed = needed.union(ColumnMask::of([col::SHIPDATE]));
    }
    needed
}

/// The columns of `needed` that can be drawn after a filter on `filter_columns` (see
/// [`LineBatchGenerator::defer`]); `wide_partkey`: `l_partkey` is drawn sequentially.
fn deferrable(needed: ColumnMask, filter_columns: ColumnMask, wide_partkey: bool) -> ColumnMask {
    let first = filter_columns.intersection(needed);
    if first.is_empty() {
        return ColumnMask::NONE;
    }
    let mut early = first;
    let priced = ColumnMask::of([col::PARTKEY, col::EXTENDEDPRICE, col::SUPPKEY]);
    if !early.intersection(priced).is_empty() || wide_partkey {
        early = early.union(needed.intersection(priced));
    }
    let shipping = ColumnMask::of([
        col::SHIPDATE,
        col::LINESTATUS,
        col::RECEIPTDATE,
        col::RETURNFLAG,
    ]);
    if !early.intersection(shipping).is_empty() || needed.has(col::RETURNFLAG) {
        early = early.union(needed.intersection(shipping));
    }
    needed.without(early)
}

/// Which lines a draw covers: every line of the batch's orders, or those a filter kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    All,
    Kept,
}

/// One column draw over a batch: the batch's first order row, where in the output its lines
/// start, which columns, over which lines.
#[derive(Clone, Copy, Debug)]
struct Draw {
    first_row: u64,
    start: usize,
    columns: ColumnMask,
    plan: Plan,
}

/// `lineitem` columns for a range of orders, generated a batch of lines at a time (see the
/// module docs). Batches hold exactly the number of lines asked for; an order cut by a batch
/// end continues in the next batch.
#[derive(Debug)]
pub struct LineBatchGenerator {
    next: u64,
    end: u64,
    needed: ColumnMask,
    keys: OrderKeys,
    parts: i64,
    suppliers: i64,
    line_count: OrderStream,
    orderdate: OrderStream,
    quantity: OrderStream,
    discount: OrderStream,
    tax: OrderStream,
    instruct: OrderStream,
    shipmode: OrderStream,
    partkey: OrderStream,
    /// `l_partkey`'s stream when dbgen draws it with its 64-bit generator (scale ≥ 30000).
    wide_partkey: Option<WidePartkey>,
    supplier: OrderStream,
    shipdate: OrderStream,
    commitdate: OrderStream,
    receiptdate: OrderStream,
    returnflag: OrderStream,
    comment: OrderStream,
    /// Line counts and first days (since 1970) of the orders of the current batch.
    counts: Vec<u8>,
    order_days: Vec<i32>,
    layout: Layout,
    /// Lines generated beyond the last batch's end.
    carry: LineColumns,
    carried: usize,
    /// `l_returnflag` by the value of its draw (dbgen's weighted pick, as bytes).
    flag_by_draw: Vec<u8>,
    /// Columns drawn only for the lines a filter keeps ([`defer`](Self::defer)).
    deferred: ColumnMask,
    /// The first order row of the batch (its orders in `counts`) whose deferred columns are
    /// still to be drawn (the line streams stay at its start until then).
    pending: Option<u64>,
    /// Per order of the pending batch: its lines a filter kept.
    kept_counts: Vec<u8>,
}

impl LineBatchGenerator {
    /// The line items of the orders `orders` (0-based order rows) with the columns in `columns`
    /// (indices of [`col`]).
    #[cfg(test)]
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        Self::with_keys(sf, orders, columns, OrderKeys::BASE)
    }

    /// The line items of the orders `orders` with `columns`, keyed by `keys` (the base table's
    /// keys, or a refresh set's).
    pub fn with_keys(
        sf: &ScaleFactor,
        orders: RowRange,
        columns: ColumnMask,
        keys: OrderKeys,
    ) -> Self {
        let start = orders.start;
        let at = |spec| OrderStream::at(spec, start);
        let needed = with_sources(columns);
        let wide_partkey =
            (sf.uses_64bit_keys() && needed.has(col::PARTKEY)).then(|| WidePartkey::new(sf, start));
        let flags = &dists().return_flag;
        let flag_by_draw = (0..flags.total_weight())
            .map(|j| {
                flags
                    .member(flags.index_of_draw(j))
                    .bytes()
                    .next()
                    .unwrap_or(b'N')
            })
            .collect();
        LineBatchGenerator {
            next: start,
            end: orders.end.min(keys.row_limit(sf.order_count())).max(start),
            needed,
            keys,
            parts: sf.part_count(),
            suppliers: sf.supplier_count(),
            line_count: at(LINE_COUNT_STREAM),
            orderdate: at(ORDERDATE_STREAM),
            quantity: at(QUANTITY_STREAM),
            discount: at(DISCOUNT_STREAM),
            tax: at(TAX_STREAM),
            instruct: at(INSTRUCT_STREAM),
            shipmode: at(SHIPMODE_STREAM),
            partkey: at(PARTKEY_STREAM),
            wide_partkey,
            supplier: at(SUPPLIER_STREAM),
            shipdate: at(SHIPDATE_STREAM),
            commitdate: at(COMMITDATE_STREAM),
            receiptdate: at(RECEIPTDATE_STREAM),
            returnflag: at(RETURNFLAG_STREAM),
            comment: at(LINE_COMMENT_STREAM),
            counts: Vec::new(),
            order_days: Vec::new(),
            layout: Layout::default(),
            carry: LineColumns::default(),
            carried: 0,
            flag_by_draw,
            deferred: ColumnMask::NONE,
            pending: None,
            kept_counts: Vec::new(),
        }
    }

    /// Late materialisation for a scan that filters on `filter_columns`: each batch draws those
    /// (and what must be drawn with them) for all its lines, and the other columns only for the
    /// lines the filter keeps, in [`draw_deferred`](Self::draw_deferred). Batches then end at
    /// order boundaries (about as many lines as asked for). Columns stay whole-batch where a
    /// line's value depends on other lines or on a filter column: `l_partkey` with the
    /// columns priced from it when one of them is filtered (or at SF ≥ 30000, where it is
    /// drawn sequentially), and the ship/receipt dates with the line status whenever
    /// `l_returnflag` is wanted (its draw counts the order's earlier received lines).
    pub fn defer(mut self, filter_columns: ColumnMask) -> Self {
        self.deferred = deferrable(self.needed, filter_columns, self.wide_partkey.is_some());
        self
    }

    /// The columns a generator of `columns` at `sf` defers when a scan filters on
    /// `filter_columns` ([`defer`](Self::defer)), including columns drawn only because
    /// deferred ones are computed from them.
    pub fn deferred_columns(
        sf: &ScaleFactor,
        columns: ColumnMask,
        filter_columns: ColumnMask,
    ) -> ColumnMask {
        let needed = with_sources(columns);
        let wide = sf.uses_64bit_keys() && needed.has(col::PARTKEY);
        deferrable(needed, filter_columns, wide)
    }

    /// The columns [`draw_deferred`](Self::draw_deferred) draws (none without
    /// [`defer`](Self::defer)).
    pub fn deferred(&self) -> ColumnMask {
        self.deferred
    }

    /// Draws the deferred columns of the last batch for its lines in `runs` (ascending,
    /// disjoint ranges of the batch's line indices), into `out`'s deferred columns, compacted:
    /// value `j` is the `j`-th kept line's. Does nothing if they were drawn already.
    pub fn draw_deferred(&mut self, runs: &[Range<usize>], out: &mut LineColumns) {
        let Some(first_row) = self.pending else {
            return;
        };
        // Per order, how many of its lines the runs keep.
        let mut kept_counts = std::mem::take(&mut self.kept_counts);
        kept_counts.clear();
        let (mut run, mut pos) = (0, 0);
        for &count in &self.counts {
            let end = pos + usize::from(count);
            let mut kept = 0;
            while let Some(r) = runs.get(run).filter(|r| r.start < end) {
                kept += r.end.min(end).saturating_sub(r.start.max(pos));
                if r.end > end {
                    break;
                }
                run += 1;
            }
            kept_counts.push(kept as u8);
            pos = end;
        }
        self.kept_counts = kept_counts;
        // The plan of the kept lines only: each keeps its line index and power.
        let layout = &mut self.layout;
        compact(&mut layout.line, runs);
        compact(&mut layout.power, runs);
        layout.lines = layout.line.len();
        let (deferred, kept) = (self.deferred, layout.lines);
        out.resize(deferred, kept + LANES);
        let draw = Draw {
            first_row,
            start: 0,
            columns: deferred,
            plan: Plan::Kept,
        };
        self.draw_columns_fastest(draw, out);
        out.truncate(deferred, kept);
        self.finish_pending();
    }

    /// Moves the line streams past the pending batch (its deferred columns drawn or dropped).
    fn finish_pending(&mut self) {
        if self.pending.take().is_some() {
            let orders = self.counts.len() as u64;
            for stream in self.line_streams_mut() {
                stream.skip_orders(orders);
            }
        }
    }

    /// The columns this generator fills: those asked for and those they are computed from.
    #[cfg(test)]
    pub fn filled(&self) -> ColumnMask {
        self.needed
    }

    /// Replaces the contents of `out`'s filled columns with the next (up to) `max` lines;
    /// returns how many (0 when the range is exhausted).
    pub fn fill(&mut self, max: usize, out: &mut LineColumns) -> usize {
        match self.deferred.is_empty() {
            true => self.fill_until(max, usize::MAX, out),
            // Whole orders (the deferred columns are drawn from the batch's plan): four lines
            // an order on average.
            false => self.fill_until(usize::MAX, max.div_ceil(4), out),
        }
    }

    /// Replaces `out`'s filled columns with the lines of the next (up to) `orders` whole
    /// orders, whose line counts [`counts`](Self::counts) then gives; returns the number of
    /// lines. For a generator only ever filled this way (no order is cut by a batch end).
    pub(crate) fn fill_orders(&mut self, orders: usize, out: &mut LineColumns) -> usize {
        debug_assert_eq!(self.carried, 0, "fill_orders after fill");
        self.fill_until(usize::MAX, orders, out)
    }

    /// The line counts of the orders generated by the last fill.
    pub(crate) fn counts(&self) -> &[u8] {
        &self.counts
    }

    /// A batch of at most `max_lines` lines from at most `max_orders` orders.
    fn fill_until(&mut self, max_lines: usize, max_orders: usize, out: &mut LineColumns) -> usize {
        self.finish_pending();
        let needed = self.needed;
        // The deferred columns start empty; they are drawn after the filter, if at all.
        out.restart(needed, &self.carry);
        let drawn = needed.without(self.deferred);
        let start = self.carried;
        let first_row = self.next;
        // The orders this batch needs: enough lines to fill it (orders may run over, the
        // surplus is carried). Four orders at a time (see [`Chains`]); kept in locals.
        let mut counts = std::mem::take(&mut self.counts);
        counts.clear();
        let mut chains = Chains::new(self.line_count);
        let (mut next, mut total) = (self.next, 0usize);
        while start + total < max_lines && counts.len() < max_orders && next < self.end {
            let group = (self.end - next)
                .min(4)
                .min((max_orders - counts.len()) as u64) as usize;
            chains.take(group, |_, state| {
                let count = line_count(state);
                counts.push(count);
                total += usize::from(count);
            });
            next += group as u64;
        }
        self.line_count.skip_orders(next - self.next);
        (self.next, self.counts) = (next, counts);
        let end = start + total;
        out.resize(drawn, end + LANES);
        if needed.any(&[col::SHIPDATE, col::COMMITDATE]) {
            self.draw_order_days();
        }
        let draw = Draw {
            first_row,
            start,
            columns: drawn,
            plan: Plan::All,
        };
        self.draw_columns_fastest(draw, out);
        let emit = end.min(max_lines);
        out.split(drawn, emit, end, &mut self.carry);
        self.carried = end - emit;
        self.pending = Some(first_row);
        if self.deferred.is_empty() {
            self.finish_pending();
        }
        emit
    }

    fn line_streams_mut(&mut self) -> [&mut OrderStream; 13] {
        [
            &mut self.orderdate,
            &mut self.quantity,
            &mut self.discount,
            &mut self.tax,
            &mut self.instruct,
            &mut self.shipmode,
            &mut self.partkey,
            &mut self.supplier,
            &mut self.shipdate,
            &mut self.commitdate,
            &mut self.receiptdate,
            &mut self.returnflag,
            &mut self.comment,
        ]
    }

    /// [`draw_columns`](Self::draw_columns) compiled for the widest vector unit the CPU has.
    fn draw_columns_fastest(&mut self, draw: Draw, out: &mut LineColumns) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { self.draw_columns_avx2(draw, out) };
            return;
        }
        self.draw_columns(draw, out);
    }

    /// The same code with AVX2 enabled: a column's lines are independent multiplications of
    /// 32-bit values, which the compiler turns into 4-wide vector ones.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn draw_columns_avx2(&mut self, draw: Draw, out: &mut LineColumns) {
        self.draw_columns(draw, out);
    }

    /// Draws `columns` for the lines of the batch's orders (all of them, planned here, or the
    /// kept ones, planned by [`draw_deferred`](Self::draw_deferred)), writing from `start` on.
    #[inline(always)]
    fn draw_columns(&mut self, draw: Draw, out: &mut LineColumns) {
        let Draw {
            first_row,
            start,
            columns: needed,
            plan,
        } = draw;
        let mut layout = std::mem::take(&mut self.layout);
        let counts = match plan {
            Plan::All => {
                layout.plan(&self.counts);
                &self.counts[..]
            }
            Plan::Kept => &self.kept_counts[..],
        };
        let end = start + layout.lines;
        if needed.has(col::ORDERKEY) {
            let mut pos = start;
            for (order, &count) in counts.iter().enumerate() {
                let key = self.keys.key(first_row + order as u64);
                out.orderkey[pos..pos + LANES].fill(key);
                pos += usize::from(count);
            }
        }
        if needed.has(col::LINENUMBER) {
            for (number, &line) in out.linenumber[start..end].iter_mut().zip(&layout.line) {
                *number = i32::from(line) + 1;
            }
        }
        // One flat loop per column: `$out[i] = $value` with `$s` the state of line i's draw.
        macro_rules! per_line {
            ($out:expr, $stream:expr, |$s:ident| $value:expr) => {{
                let l = layout.stream(counts, $stream);
                let lines = l.starts.iter().zip(l.power);
                for (slot, (&start, &power)) in $out[start..end].iter_mut().zip(lines) {
                    let $s = state(start, power);
                    *slot = $value;
                }
            }};
        }
        if needed.has(col::QUANTITY) {
            per_line!(out.quantity, self.quantity, |s| i128::from(
                uniform(s, 1, 50) * 100
            ));
        }
        if needed.has(col::DISCOUNT) {
            per_line!(out.discount, self.discount, |s| i128::from(uniform(
                s, 0, 10
            )));
        }
        if needed.has(col::TAX) {
            per_line!(out.tax, self.tax, |s| i128::from(uniform(s, 0, 8)));
        }
        if needed.has(col::PARTKEY) {
            let keys = &mut out.partkey[start..end];
            match &mut self.wide_partkey {
                Some(wide) => wide.draw(first_row, counts, self.parts, keys),
                None => draw_partkeys(self.partkey, self.parts, counts, &mut layout, keys),
            }
        }
        // Keys below 2³² (every scale factor below ~21000) take the 32-bit formulas.
        let narrow = u32::try_from(self.parts).is_ok();
        if needed.has(col::EXTENDEDPRICE) {
            let keys = &out.partkey[start..end];
            let l = layout.stream(counts, self.quantity);
            let lines = l.starts.iter().zip(l.power).zip(keys);
            let prices = out.extendedprice[start..end].iter_mut().zip(lines);
            if narrow {
                for (price, ((&s, &p), &key)) in prices {
                    let quantity = uniform(state(s, p), 1, 50) as u32;
                    *price = i128::from(retail_price_u32(key as u32) * quantity);
                }
            } else {
                for (price, ((&s, &p), &key)) in prices {
                    *price = i128::from(retail_price(key) * uniform(state(s, p), 1, 50));
                }
            }
        }
        if needed.has(col::SUPPKEY) {
            let keys = &out.partkey[start..end];
            let suppliers = self.suppliers;
            let l = layout.stream(counts, self.supplier);
            let lines = l.starts.iter().zip(l.power).zip(keys);
            let supps = out.suppkey[start..end].iter_mut().zip(lines);
            match Divisor::new(suppliers).filter(|_| narrow) {
                Some(by) => {
                    for (supp, ((&s, &p), &key)) in supps {
                        // part_supplier: (key + i·(S/4 + (key−1)/S)) mod S + 1, below 2³² here.
                        let step = by.d / 4 + by.div((key - 1) as u32);
                        let index = uniform(state(s, p), 0, 3);
                        *supp = match u32::try_from(key as u64 + index as u64 * step) {
                            Ok(sum) => by.rem(sum) as i64 + 1,
                            Err(_) => part_supplier(key, index, suppliers),
                        };
                    }
                }
                None => {
                    for (supp, ((&s, &p), &key)) in supps {
                        *supp = part_supplier(key, uniform(state(s, p), 0, 3), suppliers);
                    }
                }
            }
        }
        if needed.has(col::SHIPINSTRUCT) {
            let dist = &dists().ship_instruct;
            per_line!(out.shipinstruct, self.instruct, |s| dist
                .member(dist.pick_index_at(s)));
        }
        if needed.has(col::SHIPMODE) {
            let dist = &dists().ship_mode;
            per_line!(out.shipmode, self.shipmode, |s| dist
                .member(dist.pick_index_at(s)));
        }
        if needed.has(col::COMMENT) {
            // Two draws a line (offset, length): the order's draws 2j and 2j + 1.
            let l = layout.stream(counts, self.comment);
            let lines = l.starts.iter().zip(l.line);
            for (text, (&s, &line)) in out.comment[start..end].iter_mut().zip(lines) {
                let k = 2 * usize::from(line);
                let (offset, len) = (POWERS[k + 1] as u32, POWERS[k + 2] as u32);
                *text = LINE_COMMENT_TEXT.draw_at(state(s, offset), state(s, len));
            }
        }
        if needed.has(col::SHIPDATE) || needed.has(col::COMMITDATE) {
            layout.spread_days(counts, &self.order_days);
            if needed.has(col::COMMITDATE) {
                let l = layout.stream(counts, self.commitdate);
                let lines = l.starts.iter().zip(l.power).zip(l.days);
                for (date, ((&s, &p), &day)) in out.commitdate[start..end].iter_mut().zip(lines) {
                    *date = day + uniform(state(s, p), 30, 90) as i32;
                }
            }
            if needed.has(col::SHIPDATE) {
                self.draw_shipping(&mut layout, counts, needed, start..end, out);
            }
        }
        self.layout = layout;
    }

    /// The order date (days since 1970) of each order of the batch.
    fn draw_order_days(&mut self) {
        let days = &mut self.order_days;
        days.clear();
        for_each_order_start(self.orderdate, self.counts.len(), |_, state| {
            let day = uniform(mul_mod(state, POWERS[1]), DATE_BASE, LAST_ORDER_DAY) - DATE_BASE;
            days.push(Date::from_start(day).0);
        });
    }

    /// Ship and receipt dates, line status and return flag (`layout.days` already spread).
    #[inline(always)]
    fn draw_shipping(
        &self,
        layout: &mut Layout,
        counts: &[u8],
        needed: ColumnMask,
        lines: Range<usize>,
        out: &mut LineColumns,
    ) {
        let (start, end) = (lines.start, lines.end);
        let l = layout.stream(counts, self.shipdate);
        let lines = l.starts.iter().zip(l.power).zip(l.days);
        for (ship, ((&s, &p), &day)) in out.shipdate[start..end].iter_mut().zip(lines) {
            *ship = day + uniform(state(s, p), 1, 121) as i32;
        }
        let ships = &out.shipdate[start..end];
        if needed.has(col::LINESTATUS) {
            for (status, &ship) in out.linestatus[start..end].iter_mut().zip(ships) {
                *status = if ship <= CURRENT { b'F' } else { b'O' };
            }
        }
        if !needed.has(col::RECEIPTDATE) {
            return;
        }
        let l = layout.stream(counts, self.receiptdate);
        let lines = l.starts.iter().zip(l.power).zip(ships);
        for (receipt, ((&s, &p), &ship)) in out.receiptdate[start..end].iter_mut().zip(lines) {
            *receipt = ship + uniform(state(s, p), 1, 30) as i32;
        }
        if needed.has(col::RETURNFLAG) {
            // Only lines received by the current date draw a flag, so a line's draw is the
            // order's k-th, k counting the order's earlier received lines. First a scan for
            // each line's draw power, then a flat loop.
            let receipts = &out.receiptdate[start..end];
            let mut draw_power = std::mem::take(&mut layout.draw_power);
            draw_power.clear();
            let mut k = 0usize;
            for (&line, &receipt) in layout.line.iter().zip(receipts) {
                k *= usize::from(line != 0);
                draw_power.push(POWERS[(k & 7) + 1] as u32);
                k += usize::from(receipt <= CURRENT);
            }
            let table = &self.flag_by_draw[..];
            let span = table.len() as u64;
            let l = layout.stream(counts, self.returnflag);
            let lines = l.starts.iter().zip(&draw_power).zip(receipts);
            let flags = out.returnflag[start..end].iter_mut().zip(lines);
            if let &[first, second] = table {
                for (flag, ((&s, &p), &receipt)) in flags {
                    let drawn = if unif_small(state(s, p), 0, 2) == 0 {
                        first
                    } else {
                        second
                    };
                    *flag = if receipt <= CURRENT { drawn } else { b'N' };
                }
            } else {
                for (flag, ((&s, &p), &receipt)) in flags {
                    let j = unif_small(state(s, p), 0, span) as usize;
                    let drawn = table.get(j).copied().unwrap_or(b'N');
                    *flag = if receipt <= CURRENT { drawn } else { b'N' };
                }
            }
            layout.draw_power = draw_power;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_past_the_end_ranges_yield_nothing() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let orders = sf.order_count() as u64;
        let mut out = LineColumns::default();
        for range in [RowRange::new(10, 10), RowRange::new(orders + 5, orders + 9)] {
            let mut lines = LineBatchGenerator::new(&sf, range, ColumnMask::ALL);
            assert_eq!(lines.fill(100, &mut out), 0);
        }
    }

    #[test]
    fn whole_order_batches_end_at_order_boundaries() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(5, 105);
        let mut by_lines = LineBatchGenerator::new(&sf, range, ColumnMask::of([col::LINENUMBER]));
        let mut all = LineColumns::default();
        by_lines.fill(usize::MAX, &mut all);
        let mut by_orders = LineBatchGenerator::new(&sf, range, ColumnMask::of([col::LINENUMBER]));
        let (mut out, mut numbers, mut orders) = (LineColumns::default(), Vec::new(), 0);
        for batch in [1, 3, 4, 5, 7, 1000] {
            let lines = by_orders.fill_orders(batch, &mut out);
            let counts = by_orders.counts();
            assert_eq!(counts.len(), batch.min(100 - orders));
            assert_eq!(counts.iter().map(|&c| usize::from(c)).sum::<usize>(), lines);
            assert!(lines == 0 || out.linenumber[0] == 1, "starts an order");
            orders += counts.len();
            numbers.extend_from_slice(&out.linenumber);
        }
        assert_eq!((orders, numbers), (100, all.linenumber));
    }

    /// Runs of the line indices `0..lines` for which `keep(i)` holds.
    fn runs_where(lines: usize, keep: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for i in (0..lines).filter(|&i| keep(i)) {
            match runs.last_mut() {
                Some(run) if run.end == i => run.end += 1,
                _ => runs.push(i..i + 1),
            }
        }
        runs
    }

    /// Late materialisation: a batch's columns, drawn early for every line and late for the
    /// kept ones, equal a whole draw of the same orders compacted to the kept lines.
    #[test]
    fn deferred_columns_equal_a_whole_draw_of_the_kept_lines() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let range = RowRange::new(7, 900);
        let priced = [
            col::SUPPKEY,
            col::EXTENDEDPRICE,
            col::DISCOUNT,
            col::SHIPDATE,
        ];
        let shipping = [
            col::ORDERKEY,
            col::LINESTATUS,
            col::RECEIPTDATE,
            col::COMMITDATE,
        ];
        let cases: [(ColumnMask, &[usize], &[usize]); 6] = [
            // (columns, filter columns, columns expected to be deferred)
            (
                ColumnMask::ALL,
                &[col::SHIPDATE],
                &[col::QUANTITY, col::COMMENT],
            ),
            (
                ColumnMask::ALL,
                &[col::QUANTITY, col::DISCOUNT],
                &[col::PARTKEY],
            ),
            (
                ColumnMask::of(priced),
                &[col::SHIPDATE],
                &[col::PARTKEY, col::SUPPKEY],
            ),
            (
                ColumnMask::of(shipping),
                &[col::COMMITDATE],
                &[col::SHIPDATE, col::LINESTATUS],
            ),
            (
                ColumnMask::ALL,
                &[col::PARTKEY],
                &[col::LINENUMBER, col::TAX],
            ),
            (
                ColumnMask::ALL,
                &[col::ORDERKEY],
                &[col::SHIPMODE, col::SHIPINSTRUCT],
            ),
        ];
        let patterns: [fn(usize) -> bool; 4] = [
            |i| i % 3 != 1,
            |i| (i * 7919) % 13 < 2,
            |_| true,
            |i| i == 0,
        ];
        for (mask, filter, expect_deferred) in cases {
            let filter = ColumnMask::of(filter.iter().copied());
            let mut whole = LineBatchGenerator::new(&sf, range, mask);
            let mut late = LineBatchGenerator::new(&sf, range, mask).defer(filter);
            for &c in expect_deferred {
                assert!(late.deferred().has(c), "column {c} deferred for {filter:?}");
            }
            assert!(late.deferred().intersection(filter).is_empty());
            let (mut want, mut got) = (LineColumns::default(), LineColumns::default());
            for b in 0.. {
                let batch = [3, 64, 500, 1][b % 4];
                let lines = late.fill(batch, &mut got);
                let orders = late.counts().len();
                assert_eq!(whole.fill_orders(orders, &mut want), lines);
                if lines == 0 {
                    break;
                }
                let runs = runs_where(lines, patterns[b % 4]);
                // As the scan does: compact what was drawn, then draw the rest.
                got.retain(&runs, mask);
                late.draw_deferred(&runs, &mut got);
                want.retain(&runs, mask);
                let kept = runs.iter().map(|r| r.len()).sum();
                for columns in [&mut want, &mut got] {
                    columns.retain(std::slice::from_ref(&(0..kept)), mask);
                }
                assert_eq!(got, want, "{filter:?}, batch of {lines} lines");
            }
        }
    }
}
