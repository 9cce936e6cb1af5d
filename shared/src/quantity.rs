//! Parsers for the numeric values the user types: integers, shares, human sizes and Go durations.

/// A non-negative integer without sign or spaces, as Go's `strconv` reads it for our flags.
pub fn parse_uint(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `low`, `normal`, `high` (any case) or a positive integer share count.
pub fn is_valid_shares(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    matches!(t.as_str(), "low" | "normal" | "high") || parse_uint(&t).is_some_and(|n| n > 0)
}

/// Human size like `8GB`, `8000MB`, `8 GiB`, `1.5TB`; returns bytes. Decimal and binary units are
/// both accepted, as docker's `units.FromHumanSize`/`RAMInBytes` family does.
pub fn parse_size_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "ti" | "tib" => 1024.0_f64.powi(4),
        _ => return None,
    };
    let bytes = value * mult;
    (bytes.is_finite() && (0.0..1.8e19).contains(&bytes)).then_some(bytes as u64)
}

/// A duration as Go's `time.Duration.String()` prints it (`3m0s`, `1h0m0s`, `1.5s`, `500ms`):
/// the form vic-machine records `--timeout` in.
pub fn format_go_duration_ms(ms: u64) -> String {
    if ms == 0 {
        return "0s".to_owned();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m) = (ms / 3_600_000, ms / 60_000 % 60);
    let (s, frac) = (ms / 1000 % 60, ms % 1000);
    let seconds = if frac == 0 {
        format!("{s}s")
    } else {
        let frac = format!("{frac:03}");
        format!("{s}.{}s", frac.trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

/// Go `time.ParseDuration` syntax: `3m`, `1h30m`, `90s`, `1.5h`, `300ms`. Returns milliseconds.
pub fn parse_go_duration_ms(text: &str) -> Option<u64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&i| i > 0)?;
        let value: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ms = match &rest[..unit_end] {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 6e4,
            "h" => 3.6e6,
            _ => return None,
        };
        total += value * ms;
        rest = &rest[unit_end..];
    }
    (total.is_finite() && total < 9e18).then_some(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size_bytes("8GB"), Some(8_000_000_000));
        assert_eq!(parse_size_bytes("8000MB"), Some(8_000_000_000));
        assert_eq!(parse_size_bytes("1GiB"), Some(1 << 30));
        assert_eq!(parse_size_bytes("eight"), None);
        assert_eq!(parse_size_bytes("8XB"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration_ms("3m"), Some(180_000));
        for (ms, go) in [
            (180_000, "3m0s"),
            (3_600_000, "1h0m0s"),
            (90_000, "1m30s"),
            (1_500, "1.5s"),
            (20_000, "20s"),
            (500, "500ms"),
            (0, "0s"),
        ] {
            assert_eq!(format_go_duration_ms(ms), go);
        }
        assert_eq!(parse_go_duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_go_duration_ms("3"), None);
        assert_eq!(parse_go_duration_ms("m"), None);
    }

    #[test]
    fn shares_and_ints() {
        assert!(is_valid_shares("High"));
        assert!(is_valid_shares("4000"));
        assert!(!is_valid_shares("0"));
        assert!(!is_valid_shares("lots"));
        assert_eq!(parse_uint("-1"), None);
        assert_eq!(parse_uint("42"), Some(42));
    }
}
