//! TPC-H's performance metrics (specification clause 5.4): Power@Size, Throughput@Size and
//! QphH@Size, from the timing intervals of a run.

/// The fewest query streams a throughput test may run at scale factor `sf` (clause 5.3.4,
/// Table 11: 2 at SF 1, 3 at SF 10, … 11 at SF 100000); 2 below SF 1.
pub fn minimum_streams(sf: f64) -> usize {
    const TABLE: [(f64, usize); 10] = [
        (1.0, 2),
        (10.0, 3),
        (30.0, 4),
        (100.0, 5),
        (300.0, 6),
        (1000.0, 7),
        (3000.0, 8),
        (10000.0, 9),
        (30000.0, 10),
        (100000.0, 11),
    ];
    TABLE
        .iter()
        .rev()
        .find(|(size, _)| sf >= *size)
        .map_or(2, |&(_, streams)| streams)
}

/// The intervals as the power metric uses them: when the longest is over 1000 times the
/// shortest, every interval below a thousandth of the longest counts as that (clause 5.4.1.4).
pub fn adjusted_intervals(seconds: &[f64]) -> Vec<f64> {
    let longest = seconds.iter().copied().fold(0.0, f64::max);
    let floor = longest / 1000.0;
    seconds.iter().map(|&s| s.max(floor)).collect()
}

/// Power@Size = 3600 · SF / (∏ QI(i,0) · ∏ RI(j,0))^(1/24), the 22 queries' and the two
/// refresh functions' times of the power test, in seconds (clause 5.4.1). `None` unless there
/// are exactly 22 query times and 2 refresh times, all positive.
pub fn power_at_size(sf: f64, queries: &[f64], refreshes: &[f64]) -> Option<f64> {
    if queries.len() != 22 || refreshes.len() != 2 {
        return None;
    }
    let all: Vec<f64> = queries.iter().chain(refreshes).copied().collect();
    if all.iter().any(|&s| !(s > 0.0 && s.is_finite())) {
        return None;
    }
    // The geometric mean through logarithms: the product of 24 small intervals underflows.
    let adjusted = adjusted_intervals(&all);
    let mean_log = adjusted.iter().map(|s| s.ln()).sum::<f64>() / adjusted.len() as f64;
    Some(3600.0 * sf / mean_log.exp())
}

/// Throughput@Size = (S · 22 · 3600 / Ts) · SF, with Ts the throughput test's measurement
/// interval in seconds (clause 5.4.2). `None` for no streams or a non-positive interval.
pub fn throughput_at_size(sf: f64, streams: usize, seconds: f64) -> Option<f64> {
    (streams > 0 && seconds > 0.0 && seconds.is_finite())
        .then(|| streams as f64 * 22.0 * 3600.0 / seconds * sf)
}

/// QphH@Size = √(Power@Size · Throughput@Size) (clause 5.4.3).
pub fn qphh_at_size(power: f64, throughput: f64) -> f64 {
    (power * throughput).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_minimums() {
        assert_eq!(minimum_streams(0.01), 2);
        assert_eq!(minimum_streams(1.0), 2);
        assert_eq!(minimum_streams(10.0), 3);
        assert_eq!(minimum_streams(999.0), 6);
        assert_eq!(minimum_streams(1000.0), 7);
        assert_eq!(minimum_streams(100000.0), 11);
    }

    #[test]
    fn power_is_a_geometric_mean() {
        // Every interval 2 s: 3600 · SF / 2.
        let power = power_at_size(10.0, &[2.0; 22], &[2.0; 2]).unwrap();
        assert!((power - 18_000.0).abs() < 1e-6);
        assert!(power_at_size(1.0, &[2.0; 21], &[2.0; 2]).is_none());
        assert!(power_at_size(1.0, &[0.0; 22], &[2.0; 2]).is_none());
        // One interval of 2000 s raises the others (1 s) to 2 s.
        assert_eq!(adjusted_intervals(&[1.0, 2000.0]), [2.0, 2000.0]);
        assert_eq!(adjusted_intervals(&[1.0, 900.0]), [1.0, 900.0]);
    }

    #[test]
    fn throughput_and_qphh() {
        let t = throughput_at_size(1.0, 2, 3600.0).unwrap();
        assert!((t - 44.0).abs() < 1e-9);
        assert!(throughput_at_size(1.0, 0, 1.0).is_none());
        assert!((qphh_at_size(4.0, 9.0) - 6.0).abs() < 1e-12);
    }
}
