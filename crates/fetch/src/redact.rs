//! Passwords in URLs kept out of what is printed: a feed URL may carry
//! `user:password@` for Basic authentication, and its messages end up in
//! cron mail and CI logs. Shown as `user:***@`, as pip and git do.

use std::borrow::Cow;

/// `text` with the password of every URL in it replaced by `***`
/// (`http://user:secret@host/` becomes `http://user:***@host/`); the rest is
/// unchanged, user names included. Use it on anything printed that may hold
/// a feed URL; keep the URL itself as it is where it is stored.
pub fn redact_credentials(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    // How much of `text` is in `out` already, and where to look next.
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        let rest = &text[start..];
        // The authority ends where the path, query or fragment starts, or
        // where the URL does in running text.
        let end = rest
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '\\' | '"' | '\'' | '<' | '>' | '`')
                    || c.is_whitespace()
            })
            .unwrap_or(rest.len());
        from = start + end;
        // The last `@`: one inside an unencoded password is still the password's.
        let Some(at) = rest[..end].rfind('@') else {
            continue;
        };
        let Some(colon) = rest[..at].find(':') else {
            continue;
        };
        let password = &rest[colon + 1..at];
        if password.is_empty() || password == "***" {
            continue;
        }
        out.push_str(&text[copied..start + colon + 1]);
        out.push_str("***");
        copied = start + at;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::redact_credentials as r;

    #[test]
    fn passwords_are_hidden_and_the_rest_is_kept() {
        assert_eq!(
            r("network error fetching http://user:secret@127.0.0.1:1/feed.xml: refused"),
            "network error fetching http://user:***@127.0.0.1:1/feed.xml: refused"
        );
        assert_eq!(
            r("a https://u:p@a.example?x=1 and http://v:q%40r@[::1]:8080#f, b"),
            "a https://u:***@a.example?x=1 and http://v:***@[::1]:8080#f, b"
        );
        // An unencoded `@` in the password: the host is after the last one.
        assert_eq!(r("http://u:p@ss@h.example/"), "http://u:***@h.example/");
        assert_eq!(r("\"http://u:pw@h/\""), "\"http://u:***@h/\"");
    }

    #[test]
    fn text_without_a_password_is_left_alone() {
        for text in [
            "http://example.com/feed",
            "http://user@example.com/feed",
            "http://user:@example.com/",
            "http://u:***@example.com/",
            "http://example.com/a@b:c",
            "mail me at a:b@c, or see x://",
            "",
            "://",
            "ünï://cödé:pässwörd@hôst/ü",
        ] {
            let expected = if text.starts_with("ünï") {
                "ünï://cödé:***@hôst/ü"
            } else {
                text
            };
            assert_eq!(r(text), expected);
        }
        assert!(matches!(
            r("http://example.com/"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
