//! Output shared by the scenarios: one JSON object per line on standard
//! output, then an aligned table for people.

use serde_json::Value;

/// Prints `value` as one line of JSON.
pub fn json_line(value: &Value) {
    println!("{value}");
}

/// Prints a table: a header row, then one row per entry, columns padded to
/// their widest cell (numbers right-aligned).
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|col| rows.iter().map(|row| row[col].len()).chain([header[col].len()]).max().unwrap_or(0))
        .collect();
    let render = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(col, (cell, width))| if col == 0 { format!("{cell:<width$}") } else { format!("{cell:>width$}") })
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    render(header.to_vec());
    for row in rows {
        render(row.iter().map(String::as_str).collect());
    }
}

/// `x` to two decimals, for JSON figures.
pub fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The value at quantile `q` (0 to 1) of sorted `samples`, nearest rank.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 0.5), 50.0);
        assert_eq!(percentile(&samples, 0.99), 99.0);
        assert_eq!(percentile(&samples, 1.0), 100.0);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
