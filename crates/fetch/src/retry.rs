//! When to try again: exponential backoff with jitter, and `Retry-After`.

use std::time::{Duration, SystemTime};

/// The delay before retry number `retry` (0 for the first retry): `base`
/// doubled `retry` times, capped at `cap`, minus a random jitter of up to half
/// ("equal jitter"), so that many clients failing together do not come back
/// together.
pub(crate) fn backoff_delay(base: Duration, retry: u32, cap: Duration) -> Duration {
    let full = base.saturating_mul(2u32.saturating_pow(retry)).min(cap);
    let half = full / 2;
    let jitter = half.mul_f64(fastrand::f64());
    full - jitter
}

/// Parses a `Retry-After` value (RFC 9110 §10.2.3): either a number of
/// seconds or an HTTP date. A date in the past means "now". `None` when the
/// value is neither, in which case the caller falls back to its own backoff.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (STYLE.md)
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds() {
        let now = SystemTime::now();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_as_http_date() {
        // RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms.
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let later = "Sun, 06 Nov 1994 08:51:37 GMT";
        assert_eq!(
            parse_retry_after(later, now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:47 1994", now),
            Some(Duration::from_secs(10))
        );
        // A date already past means retry now.
        assert_eq!(
            parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for _ in 0..100 {
            let d0 = backoff_delay(base, 0, cap);
            assert!(d0 >= Duration::from_millis(50) && d0 <= base, "{d0:?}");
            let d2 = backoff_delay(base, 2, cap);
            assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(400));
            let d10 = backoff_delay(base, 10, cap);
            assert!(d10 >= cap / 2 && d10 <= cap);
        }
        assert!(backoff_delay(base, u32::MAX, cap) <= cap);
    }
}
