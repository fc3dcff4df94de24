//! Small helpers on `postgres://` URLs.

/// `url` with its database name replaced by `database` (query parameters kept).
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// The host and port of `url` (`None` parts when absent: defaults apply).
pub(crate) fn host_port(url: &str) -> (Option<String>, Option<u16>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    match host_port.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => (Some(h.to_owned()), p.parse().ok()),
        _ if host_port.is_empty() => (None, None),
        _ => (Some(host_port.to_owned()), None),
    }
}

/// Whether the server of `url` runs on this machine (so its process ids and ours compare, and
/// a throwaway cluster may be started for it).
pub(crate) fn is_local(url: &str) -> bool {
    matches!(
        host_port(url).0.as_deref(),
        None | Some("127.0.0.1" | "localhost" | "::1" | "[::1]")
    )
}

/// `url` with `sslmode=disable` and `gssencmode=disable` added when its server is on this
/// machine and the URL sets neither. TLS and GSSAPI encryption on loopback protect nothing and
/// cost CPU, and negotiating them makes libpq call into OpenSSL and Kerberos: a test process
/// that exits while a pool thread is still opening a connection (r2d2 opens them on its own
/// threads) could then crash in those libraries' exit handlers (SIGSEGV or SIGABRT after a
/// passing test).
pub(crate) fn plain_on_loopback(url: &str) -> String {
    if !is_local(url) || url.contains("sslmode=") || url.contains("gssencmode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable&gssencmode=disable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_go_without_tls_unless_told() {
        assert_eq!(
            plain_on_loopback("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&gssencmode=disable"
        );
        assert_eq!(
            plain_on_loopback("postgres://u@localhost/x?application_name=t"),
            "postgres://u@localhost/x?application_name=t&sslmode=disable&gssencmode=disable"
        );
        let told = "postgres://u@127.0.0.1/x?sslmode=require";
        assert_eq!(plain_on_loopback(told), told);
        let remote = "postgres://u@db.example/x";
        assert_eq!(plain_on_loopback(remote), remote);
    }

    #[test]
    fn replaces_the_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }

    #[test]
    fn reads_host_and_port() {
        let hp = host_port("postgres://postgres@127.0.0.1:5432/postgres");
        assert_eq!(hp, (Some("127.0.0.1".to_owned()), Some(5432)));
        assert_eq!(
            host_port("postgres://db.example/x"),
            (Some("db.example".to_owned()), None)
        );
        assert!(is_local("postgres://postgres@localhost/x"));
        assert!(!is_local("postgres://postgres@db.example:5432/x"));
    }
}
