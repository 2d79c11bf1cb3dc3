//! `tpch bench compare` and `tpch bench plot`: reports of `tpch bench --json` compared (a
//! table, Markdown or CSV) and drawn (SVG). The comparison is the library's
//! (`datafusion_dbgen::bench::compare`); this file reads the flags and writes the output.

use std::path::{Path, PathBuf};

use datafusion_dbgen::Error;
use datafusion_dbgen::bench::{
    CompareError, CompareFormat, CompareOptions, SavedReport, Stat, Timeline, compare,
    compare_queries, labels_for,
};

use crate::output::{outln, write_bytes};
use crate::plot::{self, BarChart, Chart, Scale};
use crate::query_cmd::one_line;

/// `tpch bench compare|plot`.
#[derive(clap::Subcommand)]
pub(crate) enum ReportCommand {
    /// Compare reports of `tpch bench --json` (the first is the base): each query's time, the
    /// ratio against the base (1.23x) and a verdict (faster, slower, no change), totals and
    /// the geometric mean; TPC-H runs interval by interval with Power@Size, Throughput@Size and
    /// QphH@Size.
    Compare(CompareArgs),
    /// Draw reports as SVG: grouped bars of the query times (the verdict colours of `compare`)
    /// and, for a TPC-H run, the throughput test's timeline (a lane per stream).
    Plot(PlotArgs),
}

/// How reports are compared (shared by `compare` and `plot`).
#[derive(clap::Args)]
pub(crate) struct CompareFlags {
    /// Which iteration stands for a query: the fastest or the median.
    #[arg(long, value_enum, default_value = "median")]
    stat: StatArg,
    /// A ratio within this many percent of 1.00x is "no change" (so is a change smaller than
    /// the spread of both reports' iterations).
    #[arg(long, value_name = "PERCENT", default_value = "5", value_parser = percent)]
    threshold: f64,
    /// Compare reports even when they are not comparable (another scale factor, other queries,
    /// another kind of run).
    #[arg(long)]
    force: bool,
}

impl CompareFlags {
    fn options(&self) -> CompareOptions {
        CompareOptions {
            stat: match self.stat {
                StatArg::Min => Stat::Min,
                StatArg::Median => Stat::Median,
            },
            threshold: self.threshold / 100.0,
            force: self.force,
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct CompareArgs {
    /// The JSON reports; the first is the base the others are compared with.
    #[arg(value_name = "REPORT.json", num_args = 2.., required = true)]
    reports: Vec<PathBuf>,
    /// table (aligned text), markdown (for pull requests) or csv.
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    #[command(flatten)]
    flags: CompareFlags,
}

#[derive(clap::Args)]
pub(crate) struct PlotArgs {
    /// The JSON reports; the first is the base of the bars' verdict colours.
    #[arg(value_name = "REPORT.json", num_args = 1.., required = true)]
    reports: Vec<PathBuf>,
    /// The SVG file to write (PNG is not offered: it needs a font file and a rasteriser;
    /// convert the SVG, e.g. with rsvg-convert).
    #[arg(long, short = 'o', value_name = "FILE.svg")]
    output: PathBuf,
    /// The bar chart's y axis.
    #[arg(long, value_enum, default_value = "linear")]
    scale: ScaleArg,
    /// What to draw: bars (query times), timeline (each run's throughput test) or auto (the
    /// bars, and the timeline of every run that has a throughput test).
    #[arg(long, value_enum, default_value = "auto")]
    chart: ChartArg,
    #[command(flatten)]
    flags: CompareFlags,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StatArg {
    Min,
    Median,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Table,
    Markdown,
    Csv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScaleArg {
    Linear,
    Log,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ChartArg {
    Auto,
    Bars,
    Timeline,
}

/// `--threshold`: a percentage of at least 0.
fn percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p >= 0.0 && p.is_finite() => Ok(p),
        _ => Err("expected a percentage of at least 0, e.g. 5".into()),
    }
}

pub(crate) fn run(command: ReportCommand) -> Result<(), Error> {
    match command {
        ReportCommand::Compare(args) => compare_cmd(args),
        ReportCommand::Plot(args) => plot_cmd(args),
    }
}

/// The crate's one-line error for a comparison's.
fn compare_err(e: CompareError) -> Error {
    match e {
        CompareError::Io { path, source } => Error::Io { path, source },
        CompareError::Incomparable(_) => Error::InvalidOption(format!(
            "{}; --force compares them anyway",
            one_line(&e.to_string())
        )),
        other => Error::InvalidOption(one_line(&other.to_string())),
    }
}

/// Every report, labelled by its file's stem.
fn load(paths: &[PathBuf]) -> Result<Vec<(String, SavedReport)>, Error> {
    paths
        .iter()
        .zip(labels_for(paths))
        .map(|(path, label)| {
            SavedReport::load(path)
                .map(|r| (label, r))
                .map_err(compare_err)
        })
        .collect()
}

fn compare_cmd(args: CompareArgs) -> Result<(), Error> {
    let reports = load(&args.reports)?;
    let comparison = compare(&reports, &args.flags.options()).map_err(compare_err)?;
    let format = match args.format {
        FormatArg::Table => CompareFormat::Table,
        FormatArg::Markdown => CompareFormat::Markdown,
        FormatArg::Csv => CompareFormat::Csv,
    };
    write_bytes(comparison.render(format).as_bytes())
}

fn plot_cmd(args: PlotArgs) -> Result<(), Error> {
    check_output(&args.output)?;
    let reports = load(&args.reports)?;
    let options = args.flags.options();
    let with_bars = args.chart != ChartArg::Timeline;
    let comparison = match with_bars {
        true => Some(compare_queries(&reports, &options).map_err(compare_err)?),
        false => None,
    };
    let mut timelines: Vec<(String, Timeline)> = Vec::new();
    if args.chart != ChartArg::Bars {
        for (label, report) in &reports {
            let SavedReport::Run(run) = report else {
                continue;
            };
            let Some(timeline) = Timeline::of_throughput(run) else {
                continue;
            };
            let mut caption = format!(
                "{label}: throughput test, SF {}, source {}, {} query streams + refresh stream, \
                 Ts = {:.2} s",
                run.scale_factor, run.source, run.streams, timeline.seconds
            );
            if timeline.approximate {
                caption.push_str(" (older report: steps laid end to end)");
            }
            timelines.push((caption, timeline));
        }
        if args.chart == ChartArg::Timeline && timelines.is_empty() {
            return Err(Error::InvalidOption(
                "--chart timeline: no report is a TPC-H run with a throughput test \
                 (`tpch bench --run throughput|full --json FILE`)"
                    .into(),
            ));
        }
    }
    let bars = comparison.as_ref().map(|c| {
        let runs = reports
            .iter()
            .all(|(_, r)| matches!(r, SavedReport::Run(_)));
        let what = if runs {
            "power test's query intervals"
        } else {
            "query times"
        };
        let stat = match options.stat {
            Stat::Min => "fastest",
            Stat::Median => "median",
        };
        let sf = reports[0].1.scale_factor();
        let scale = match args.scale {
            ScaleArg::Linear => Scale::Linear,
            ScaleArg::Log => Scale::Log,
        };
        BarChart {
            comparison: c,
            caption: format!("TPC-H SF {sf}, {what}: {}", c.labels.join(" vs ")),
            y_desc: format!(
                "seconds ({}{})",
                if runs {
                    "the interval".to_string()
                } else {
                    format!("{stat} of iterations")
                },
                if scale == Scale::Log {
                    ", log scale"
                } else {
                    ""
                }
            ),
            scale,
        }
    });
    let chart = Chart {
        bars,
        timelines: timelines.iter().map(|(c, t)| (c.clone(), t)).collect(),
    };
    let svg = plot::svg(&chart).map_err(|e| Error::InvalidOption(format!("plot: {e}")))?;
    std::fs::write(&args.output, svg).map_err(|source| Error::Io {
        path: args.output.clone(),
        source,
    })?;
    let mut parts = Vec::new();
    if let Some(c) = &comparison {
        let groups = c.rows.len();
        parts.push(format!(
            "{groups} quer{} x {} report{}",
            if groups == 1 { "y" } else { "ies" },
            c.labels.len(),
            if c.labels.len() == 1 { "" } else { "s" }
        ));
    }
    for (_, t) in &timelines {
        parts.push(format!(
            "a timeline of {} lanes, {} bars",
            t.lanes.len(),
            t.bar_count()
        ));
    }
    outln!("wrote {}: {}", args.output.display(), parts.join("; "))
}

/// Refuses bitmap outputs (PNG is not offered) and a missing directory, before any work.
fn check_output(path: &Path) -> Result<(), Error> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if let Some(ext) = ext.filter(|e| ["png", "jpg", "jpeg", "gif", "bmp"].contains(&e.as_str())) {
        return Err(Error::InvalidOption(format!(
            "--output {}: only SVG is written ({ext} needs a font file and a rasteriser); \
             write .svg and convert it, e.g. rsvg-convert -o chart.png chart.svg",
            path.display()
        )));
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", dir.display()),
            ),
        }),
        _ => Ok(()),
    }
}
