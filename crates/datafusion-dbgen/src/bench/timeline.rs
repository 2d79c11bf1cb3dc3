//! The timeline of a TPC-H run's throughput test: one lane per query stream and one for the
//! refresh stream, each step a bar from its start to its end (what `tpch bench plot` draws).

use super::tpch_run::{RunReport, StreamReport};

/// One step on a lane: a query or a refresh function.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineBar {
    /// `Q14`, `RF1`, …
    pub name: String,
    /// Seconds from the throughput test's start.
    pub start: f64,
    /// Seconds from the throughput test's start.
    pub end: f64,
    /// Whether it is a refresh function.
    pub refresh: bool,
}

/// One stream's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// `stream 1` … or `refresh`.
    pub label: String,
    /// The stream's steps in the order they ran.
    pub bars: Vec<TimelineBar>,
}

/// A throughput test's lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The query streams' lanes, then the refresh stream's.
    pub lanes: Vec<Lane>,
    /// Ts, the test's measurement interval, seconds.
    pub seconds: f64,
    /// Whether the bars' positions are reconstructed from the intervals (a report written
    /// before steps' start and end offsets were recorded: each stream's steps laid end to end
    /// from its start), not measured.
    pub approximate: bool,
}

impl Timeline {
    /// The throughput test's timeline of `run` (`None` without a throughput test).
    pub fn of_throughput(run: &RunReport) -> Option<Timeline> {
        let t = run.throughput.as_ref()?;
        let mut approximate = false;
        let mut lanes = Vec::new();
        for (i, stream) in t.query_streams.iter().enumerate() {
            let label = format!("stream {}", stream.stream.unwrap_or(i + 1));
            lanes.push(lane(label, stream, &mut approximate));
        }
        lanes.push(lane("refresh".into(), &t.refresh_stream, &mut approximate));
        Some(Timeline {
            lanes,
            seconds: t.seconds,
            approximate,
        })
    }

    /// How many bars in all.
    pub fn bar_count(&self) -> usize {
        self.lanes.iter().map(|l| l.bars.len()).sum()
    }

    /// The latest end of any bar, or Ts if later.
    pub fn end(&self) -> f64 {
        self.lanes
            .iter()
            .flat_map(|l| l.bars.iter().map(|b| b.end))
            .fold(self.seconds, f64::max)
    }
}

fn lane(label: String, stream: &StreamReport, approximate: &mut bool) -> Lane {
    let mut at = stream.start_seconds.unwrap_or(0.0);
    let bars = stream
        .steps
        .iter()
        .map(|step| {
            let (start, end) = match (step.start_seconds, step.end_seconds) {
                (Some(start), Some(end)) => (start, end),
                (Some(start), None) => (start, start + step.seconds),
                _ => {
                    *approximate = true;
                    (at, at + step.seconds)
                }
            };
            at = end;
            TimelineBar {
                name: step.name.clone(),
                start,
                end,
                refresh: step.refresh_set.is_some(),
            }
        })
        .collect();
    Lane { label, bars }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::SavedReport;

    fn run(offsets: bool) -> RunReport {
        let step = |name: &str, set: Option<u32>, start: f64, end: f64| {
            let mut s = format!(
                r#"{{"name": "{name}", "rows": 1, "seconds": {}"#,
                end - start
            );
            if let Some(set) = set {
                s.push_str(&format!(r#", "refresh_set": {set}"#));
            }
            if offsets {
                s.push_str(&format!(
                    r#", "start_seconds": {start}, "end_seconds": {end}"#
                ));
            }
            s + "}"
        };
        let json = format!(
            r#"{{"scale_factor": 0.01, "source": "memory", "target_partitions": 2,
                "run": "throughput", "seed": 7, "streams": 1, "load_seconds": 0.1,
                "power": null, "power_at_size": null, "throughput_at_size": 1.0,
                "qphh_at_size": null,
                "throughput": {{"seconds": 3.0, "throughput_at_size": 1.0,
                  "query_streams": [{{"stream": 1, "seed": 8, "seconds": 3.0,
                    "steps": [{}, {}]}}],
                  "refresh_stream": {{"stream": null, "seconds": 1.0,
                    "steps": [{}, {}]}}}}}}"#,
            step("Q21", None, 0.5, 2.0),
            step("Q3", None, 2.0, 3.0),
            step("RF1", Some(2), 0.0, 0.25),
            step("RF2", Some(2), 0.75, 1.0),
        );
        match SavedReport::from_json(&json).unwrap() {
            SavedReport::Run(run) => run,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lanes_and_bars() {
        let t = Timeline::of_throughput(&run(true)).unwrap();
        assert!(!t.approximate);
        assert_eq!(t.lanes.len(), 2);
        assert_eq!(t.lanes[0].label, "stream 1");
        assert_eq!(t.lanes[1].label, "refresh");
        assert_eq!(t.bar_count(), 4);
        assert_eq!(t.lanes[0].bars[0].start, 0.5);
        assert_eq!(t.lanes[1].bars[1].start, 0.75);
        assert!(t.lanes[1].bars[1].refresh && !t.lanes[0].bars[0].refresh);
        assert_eq!(t.end(), 3.0);
        // An older report: the steps laid end to end.
        let old = Timeline::of_throughput(&run(false)).unwrap();
        assert!(old.approximate);
        assert_eq!(old.lanes[0].bars[1].start, 1.5);
        assert_eq!(old.lanes[1].bars[1].start, 0.25);
    }
}
