//! Wall-clock time as webhooks write it: Unix seconds, RFC 3339 (`2025-06-01T14:03:07Z`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds now.
pub fn now() -> i64 {
    now_millis() / 1000
}

/// Unix milliseconds now.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2025-06-01T14:03:07.123Z` for Unix milliseconds.
pub fn rfc3339_millis(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    format!(
        "{}.{:03}Z",
        rfc3339(secs).trim_end_matches('Z'),
        millis.rem_euclid(1000)
    )
}

/// `2025-06-01T14:03:07Z` for Unix seconds.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

/// `14:03:07` (UTC) for Unix seconds.
pub fn time_of_day(secs: i64) -> String {
    rfc3339(secs)[11..19].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_680_165_512), "2023-03-30T08:38:32Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            rfc3339_millis(1_680_165_512_045),
            "2023-03-30T08:38:32.045Z"
        );
        assert_eq!(time_of_day(1_680_165_512), "08:38:32");
    }
}
