//! The charts of `tpch bench plot`, drawn with plotters' SVG back end: grouped bars of query
//! times (coloured by `compare`'s verdicts) and a throughput test's timeline. The SVG's text is
//! SVG `<text>` that the viewer renders, so no font is read or rasterised here (and no PNG is
//! offered: a bitmap needs a font file and a rasteriser).

use datafusion_dbgen::bench::{Comparison, Row, RowKind, Timeline, Verdict};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The y axis of the bar chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scale {
    Linear,
    Log,
}

/// The first report's bars.
pub(crate) const BASE: RGBColor = RGBColor(110, 110, 110);
/// Bars faster than the first report's (`compare`'s verdict).
pub(crate) const FASTER: RGBColor = RGBColor(44, 160, 44);
/// Bars slower than the first report's.
pub(crate) const SLOWER: RGBColor = RGBColor(214, 39, 40);
/// Bars without a change.
pub(crate) const NO_CHANGE: RGBColor = RGBColor(150, 170, 200);
/// A timeline's query bars, alternating so that adjacent bars stay apart.
pub(crate) const QUERY: [RGBColor; 2] = [RGBColor(31, 119, 180), RGBColor(120, 172, 214)];
/// A timeline's refresh functions: RF1, RF2.
pub(crate) const REFRESH: [RGBColor; 2] = [RGBColor(255, 127, 14), RGBColor(190, 84, 0)];

/// The colour of report `report`'s bar with `verdict`: the base grey for the first report,
/// the verdict's colour for the others, lighter for each report after the second.
pub(crate) fn bar_colour(report: usize, verdict: Option<Verdict>) -> RGBColor {
    let colour = match (report, verdict) {
        (0, _) => return BASE,
        (_, Some(Verdict::Faster)) => FASTER,
        (_, Some(Verdict::Slower)) => SLOWER,
        (_, Some(Verdict::NoChange) | None) => NO_CHANGE,
    };
    let k = ((report - 1) as f64 * 0.3).min(0.6);
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * k).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// What one SVG shows, top to bottom.
pub(crate) struct Chart<'a> {
    /// Grouped bars: the comparison's query rows, one group per query, one bar per report.
    pub bars: Option<BarChart<'a>>,
    /// Timelines: a caption and a throughput test's lanes.
    pub timelines: Vec<(String, &'a Timeline)>,
}

/// The bar chart's data and texts.
pub(crate) struct BarChart<'a> {
    pub comparison: &'a Comparison,
    pub caption: String,
    /// The y axis' description, with its unit.
    pub y_desc: String,
    pub scale: Scale,
}

const BARS_HEIGHT: u32 = 480;
const LANE_HEIGHT: u32 = 46;

/// The chart as an SVG document.
pub(crate) fn svg(chart: &Chart<'_>) -> Result<String, String> {
    let groups = chart
        .bars
        .as_ref()
        .map_or(0, |b| query_rows(b.comparison).len());
    let reports = chart.bars.as_ref().map_or(1, |b| b.comparison.labels.len());
    let width = (groups * (reports * 14 + 14) + 180).clamp(900, 3000) as u32;
    let timeline_height = |t: &Timeline| 130 + LANE_HEIGHT * t.lanes.len() as u32;
    let height = chart.bars.as_ref().map_or(0, |_| BARS_HEIGHT)
        + chart
            .timelines
            .iter()
            .map(|(_, t)| timeline_height(t))
            .sum::<u32>();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, height.max(1))).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut rest = root;
        if let Some(bars) = &chart.bars {
            let (top, below) = rest.split_vertically(BARS_HEIGHT);
            draw_bars(&top, bars)?;
            rest = below;
        }
        for (caption, timeline) in &chart.timelines {
            let (top, below) = rest.split_vertically(timeline_height(timeline));
            draw_timeline(&top, caption, timeline)?;
            rest = below;
        }
        rest.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

/// A linear axis whose labels sit at given points (the bar groups' or lanes' centres), not at
/// round numbers.
#[derive(Clone)]
struct KeyedAxis {
    start: f64,
    end: f64,
    keys: Vec<f64>,
}

impl Ranged for KeyedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.start) / (self.end - self.start);
        limit.0 + (fraction * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.keys.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.start..self.end
    }
}

fn query_rows(c: &Comparison) -> Vec<&Row> {
    c.rows
        .iter()
        .filter(|r| matches!(r.kind, RowKind::Query(_)))
        .collect()
}

/// Seconds as labels of an axis up to `max`: as many decimals as its scale needs, the same
/// for every label (`0.50`, `1.00`, `1.50`).
fn seconds_labels(max: f64) -> impl Fn(&f64) -> String {
    let decimals = match max {
        m if m >= 20.0 => 0,
        m if m >= 2.0 => 1,
        m if m >= 0.2 => 2,
        _ => 3,
    };
    move |v: &f64| format!("{v:.decimals$}")
}

/// Seconds as a log axis' label: `0.05`, `1.5`, `12` (decades apart, so each on its own).
fn log_seconds_label(v: &f64) -> String {
    match v.abs() {
        a if a >= 10.0 => format!("{v:.0}"),
        a if a >= 1.0 => format!("{v:.1}"),
        a if a >= 0.01 => format!("{v:.2}"),
        _ => format!("{v:.3}"),
    }
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bars: &BarChart<'_>,
) -> Result<(), String> {
    let rows = query_rows(bars.comparison);
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.values.iter().flatten().map(|m| m.value))
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    if values.is_empty() {
        return Err("no query times to plot".into());
    }
    let n = bars.comparison.labels.len();
    let slot = n as f64 + 1.0;
    let x_max = rows.len() as f64 * slot;
    let centres: Vec<f64> = (0..rows.len())
        .map(|g| g as f64 * slot + 0.5 + n as f64 / 2.0)
        .collect();
    let x = KeyedAxis {
        start: 0.0,
        end: x_max,
        keys: centres.clone(),
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&bars.caption, ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64);
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // Headroom above the tallest bar for the legend (upper right): one line per report and
    // verdict it has.
    let legend_lines = 1
        + (1..n)
            .map(|j| {
                let verdicts: Vec<Option<Verdict>> = rows.iter().map(|r| r.verdicts[j]).collect();
                [
                    Some(Verdict::Faster),
                    Some(Verdict::Slower),
                    Some(Verdict::NoChange),
                    None,
                ]
                .iter()
                .filter(|v| verdicts.contains(v))
                .count()
            })
            .sum::<usize>();
    let headroom = 1.1 + 0.045 * legend_lines as f64;
    match bars.scale {
        Scale::Linear => {
            let mut chart = builder
                .build_cartesian_2d(x, 0.0..max * headroom)
                .map_err(e)?;
            bar_body(&mut chart, bars, &rows, &centres, 0.0, &seconds_labels(max))
        }
        Scale::Log => {
            let floor = min / 1.5;
            let mut chart = builder
                .build_cartesian_2d(x, (floor..max * 1.5 * headroom.powi(4)).log_scale())
                .map_err(e)?;
            bar_body(&mut chart, bars, &rows, &centres, floor, &log_seconds_label)
        }
    }
}

type BarCoords<Y> = Cartesian2d<KeyedAxis, Y>;

/// The series' legend in the upper right corner, the same on every chart.
fn draw_legend<'a, DB, CT>(chart: &mut ChartContext<'a, DB, CT>) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(|e| e.to_string())
}

fn bar_body<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, BarCoords<Y>>,
    bars: &BarChart<'_>,
    rows: &[&Row],
    centres: &[f64],
    floor: f64,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let label = |x: &f64| {
        centres
            .iter()
            .position(|c| (c - x).abs() < 1e-6)
            .map(|i| rows[i].name.clone())
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(rows.len())
        .x_label_formatter(&label)
        .y_label_formatter(y_label)
        .x_desc("query")
        .y_desc(bars.y_desc.as_str())
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()
        .map_err(e)?;
    let labels = &bars.comparison.labels;
    let n = labels.len();
    let slot = n as f64 + 1.0;
    for (j, report) in labels.iter().enumerate() {
        let verdicts: [Option<Verdict>; 4] = if j == 0 {
            [None, None, None, None]
        } else {
            [
                Some(Verdict::Faster),
                Some(Verdict::Slower),
                Some(Verdict::NoChange),
                None,
            ]
        };
        for (k, verdict) in verdicts.iter().enumerate() {
            if j == 0 && k > 0 {
                break;
            }
            let rects: Vec<Rectangle<(f64, f64)>> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| j == 0 || r.verdicts[j] == *verdict)
                .filter_map(|(g, r)| {
                    let value = r.values[j]?.value;
                    (value > 0.0).then(|| {
                        let x0 = g as f64 * slot + 0.5 + j as f64;
                        Rectangle::new(
                            [(x0 + 0.06, floor), (x0 + 0.94, value)],
                            bar_colour(j, *verdict).filled(),
                        )
                    })
                })
                .collect();
            if rects.is_empty() {
                continue;
            }
            let colour = bar_colour(j, *verdict);
            let name = match (j, verdict) {
                (0, _) => format!("{report} (base)"),
                (_, Some(v)) => format!("{report}: {}", v.as_str()),
                (_, None) => format!("{report}: no ratio"),
            };
            chart
                .draw_series(rects)
                .map_err(e)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, colour.filled()));
        }
    }
    draw_legend(chart)
}

fn draw_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    timeline: &Timeline,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let lanes = timeline.lanes.len();
    // Lane i (stream 1 first) is drawn at the top: y from lanes - i - 1 to lanes - i.
    let lane_y = |i: usize| (lanes - i - 1) as f64;
    let centres: Vec<f64> = (0..lanes).map(|i| lane_y(i) + 0.5).collect();
    // Room on the right for the legend (upper right).
    let x_max = timeline.end().max(1e-3) * 1.16;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(
            0.0..x_max,
            KeyedAxis {
                start: 0.0,
                end: lanes as f64,
                keys: centres.clone(),
            },
        )
        .map_err(e)?;
    let lane_label = |y: &f64| {
        centres
            .iter()
            .position(|c| (c - y).abs() < 1e-6)
            .map(|i| timeline.lanes[i].label.clone())
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(lanes)
        .y_label_formatter(&lane_label)
        .x_label_formatter(&seconds_labels(x_max))
        .x_desc("seconds since the throughput test started")
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()
        .map_err(e)?;
    let plot_width = f64::from(chart.plotting_area().dim_in_pixel().0);
    // Query bars in two alternating shades, RF1 and RF2 in two of their own.
    let colours = [QUERY[0], QUERY[1], REFRESH[0], REFRESH[1]];
    let mut groups: [Vec<Rectangle<(f64, f64)>>; 4] = Default::default();
    let mut texts = Vec::new();
    for (i, lane) in timeline.lanes.iter().enumerate() {
        let (y0, y1) = (lane_y(i) + 0.15, lane_y(i) + 0.85);
        let mut queries = 0;
        for bar in &lane.bars {
            let group = match (bar.refresh, bar.name.as_str()) {
                (true, "RF2") => 3,
                (true, _) => 2,
                (false, _) => {
                    queries += 1;
                    (queries - 1) % 2
                }
            };
            let colour = colours[group];
            groups[group].push(Rectangle::new(
                [(bar.start, y0), (bar.end.max(bar.start), y1)],
                colour.filled(),
            ));
            let pixels = (bar.end - bar.start) / x_max * plot_width;
            if pixels >= 9.0 * bar.name.len() as f64 {
                texts.push(Text::new(
                    bar.name.clone(),
                    ((bar.start + bar.end) / 2.0, lane_y(i) + 0.5),
                    ("sans-serif", 11)
                        .into_font()
                        .color(if group == 1 { &BLACK } else { &WHITE })
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ));
            }
        }
    }
    let [first, second, rf1, rf2] = groups;
    let legend =
        |colour: RGBColor| move |(x, y): (i32, i32)| Circle::new((x + 8, y), 5, colour.filled());
    chart
        .draw_series(first)
        .map_err(e)?
        .label("query")
        .legend(legend(QUERY[0]));
    chart.draw_series(second).map_err(e)?;
    chart
        .draw_series(rf1)
        .map_err(e)?
        .label("RF1")
        .legend(legend(REFRESH[0]));
    chart
        .draw_series(rf2)
        .map_err(e)?
        .label("RF2")
        .legend(legend(REFRESH[1]));
    chart.draw_series(texts).map_err(e)?;
    draw_legend(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!(bar_colour(0, Some(Verdict::Faster)), BASE);
        assert_eq!(bar_colour(1, Some(Verdict::Faster)), FASTER);
        assert_eq!(bar_colour(1, None), NO_CHANGE);
        // The third report's bars are lighter than the second's.
        let lighter = bar_colour(2, Some(Verdict::Slower));
        assert!(lighter.1 > SLOWER.1 && lighter.0 >= SLOWER.0);
        assert_eq!(seconds_labels(0.9)(&0.5), "0.50");
        assert_eq!(seconds_labels(3.0)(&1.0), "1.0");
        assert_eq!(seconds_labels(50.0)(&12.0), "12");
        assert_eq!(log_seconds_label(&0.25), "0.25");
        assert_eq!(log_seconds_label(&12.0), "12");
    }
}
