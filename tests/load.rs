//! Raw HTTP/1.1 over TCP for the abuse tests and `just abuse`: any method token, bodies that
//! stall, many connections, latency percentiles. Loopback only.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A response read off the wire.
#[derive(Debug, Clone)]
pub struct RawResp {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body bytes (`Content-Length` of them; none for HEAD and 304).
    pub body: Vec<u8>,
}

impl RawResp {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One keep-alive connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

/// `host:port` of a `http://host:port` base.
pub fn addr(base: &str) -> &str {
    base.trim_start_matches("http://")
}

impl Conn {
    /// Connects to `base` (`http://127.0.0.1:port`); reads time out after 30 s.
    pub fn open(base: &str) -> io::Result<Self> {
        let stream = TcpStream::connect(addr(base))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    /// Sets how long a read may wait.
    pub fn read_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.reader.get_ref().set_read_timeout(Some(timeout))
    }

    /// Writes raw bytes.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.reader.get_mut().write_all(bytes)
    }

    /// Sends `method path` with `headers` and no body, and reads the response.
    pub fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<RawResp> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        self.write(head.as_bytes())?;
        self.read_response(method == "HEAD")
    }

    /// Reads one response (its body by `Content-Length`, unless `head_only` or 304).
    pub fn read_response(&mut self, head_only: bool) -> io::Result<RawResp> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, line.clone()))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let mut resp = RawResp {
            status,
            headers,
            body: Vec::new(),
        };
        let len: usize = resp
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if !head_only && status != 304 {
            resp.body = vec![0; len];
            self.reader.read_exact(&mut resp.body)?;
        }
        Ok(resp)
    }

    /// Whether the server closed the connection (no further byte arrives before the timeout).
    pub fn closed_by_server(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte), Ok(0))
    }
}

/// The `p`-th percentile (0..=100) of `samples` (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// Times `f` `n` times in a row.
pub fn timed(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

/// Opens `n` connections that each send the head of `POST path` announcing a body of
/// `Content-Length: 100`, then 10 bytes of it, then nothing.
pub fn stall_bodies(base: &str, n: usize, path: &str, token: &str) -> io::Result<Vec<Conn>> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\": \""
    );
    (0..n)
        .map(|_| {
            let mut c = Conn::open(base)?;
            c.write(head.as_bytes())?;
            Ok(c)
        })
        .collect()
}

/// What a flood got back.
#[derive(Debug, Default)]
pub struct FloodReport {
    /// Responses by status.
    pub statuses: BTreeMap<u16, usize>,
    /// 429s lacking `Retry-After: 1` or the `too_many_requests` code.
    pub malformed_429s: usize,
    /// Connections that failed (reopened).
    pub connection_errors: usize,
}

impl FloodReport {
    /// Responses with `status`.
    pub fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// Every response.
    pub fn total(&self) -> usize {
        self.statuses.values().sum()
    }
}

/// Runs `measure` while `connections` keep-alive connections send `GET path` with `token` back
/// to back (after a 300 ms ramp-up); stops them when `measure` returns.
pub fn while_flooding<R>(
    base: &str,
    token: &str,
    connections: usize,
    path: &str,
    measure: impl FnOnce() -> R,
) -> (FloodReport, R) {
    let stop = AtomicBool::new(false);
    let auth = format!("Bearer {token}");
    std::thread::scope(|s| {
        let flooders: Vec<_> = (0..connections)
            .map(|_| s.spawn(|| flood_one(base, path, &auth, &stop)))
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        let measured = measure();
        stop.store(true, Ordering::Relaxed);
        let mut report = FloodReport::default();
        for f in flooders {
            let one = f.join().unwrap_or_default();
            for (status, n) in one.statuses {
                *report.statuses.entry(status).or_default() += n;
            }
            report.malformed_429s += one.malformed_429s;
            report.connection_errors += one.connection_errors;
        }
        (report, measured)
    })
}

fn flood_one(base: &str, path: &str, auth: &str, stop: &AtomicBool) -> FloodReport {
    let mut report = FloodReport::default();
    let mut conn = None;
    while !stop.load(Ordering::Relaxed) {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match Conn::open(base) {
                Ok(c) => conn.insert(c),
                Err(_) => {
                    report.connection_errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        match c.exchange("GET", path, &[("Authorization", auth)]) {
            Ok(r) => {
                if r.status == 429
                    && (r.header("retry-after") != Some("1")
                        || !String::from_utf8_lossy(&r.body).contains("\"too_many_requests\""))
                {
                    report.malformed_429s += 1;
                }
                *report.statuses.entry(r.status).or_default() += 1;
            }
            Err(_) => {
                report.connection_errors += 1;
                conn = None;
            }
        }
    }
    report
}

/// A small xorshift generator (tests need variety, not quality).
pub struct Rng(u64);

impl Rng {
    /// Seeded from the clock.
    pub fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Self(seed | 1)
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// A random HTTP method token of 1..=`max_len` characters, from the `tchar`s that actix's
    /// parser accepts (it answers 400 itself, before any of our code, to `#$%&'^`).
    pub fn method(&mut self, max_len: usize) -> String {
        const TCHAR: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-._`|~";
        let len = 1 + self.below(max_len);
        (0..len)
            .map(|_| TCHAR[self.below(TCHAR.len())] as char)
            .collect()
    }
}

impl Default for Rng {
    fn default() -> Self {
        Self::new()
    }
}
