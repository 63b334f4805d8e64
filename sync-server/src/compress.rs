//! Response compression as the client asks (`Accept-Encoding`: zstd, then
//! gzip), for answers over [`COMPRESS_ABOVE`]; plain for a client that does
//! not ask (curl, debugging) and for small answers (a no-op sync), which
//! gain nothing and would pay a header.
//!
//! Why not a streaming layer: every answer here is built whole in memory,
//! and a streaming zstd encoder sizes its tables for an unknown length and
//! clears them per response, which was a fifth of the server's CPU per
//! sync. One call with the length known sizes them to the answer, and each
//! thread keeps its context.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::cell::RefCell;
use std::io::Write;
use volunteer_domain::ApiErrorCode;
use volunteer_domain::wire::COMPRESS_ABOVE;

use crate::api::Failure;

/// zstd's default level: about 14× on a page of records, at a few hundred
/// MB/s.
const ZSTD_LEVEL: i32 = 3;
/// Answers larger than this are compressed off the async workers.
const BLOCKING_ABOVE: usize = 256 * 1024;
/// Larger answers than any route builds are a bug, not a body to buffer.
const MAX_ANSWER_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Zstd,
    Gzip,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Zstd => "zstd",
            Coding::Gzip => "gzip",
        }
    }

    fn encode(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Coding::Zstd => {
                thread_local! {
                    static CONTEXT: RefCell<Option<zstd::bulk::Compressor<'static>>> =
                        const { RefCell::new(None) };
                }
                CONTEXT.with(|c| {
                    let mut c = c.borrow_mut();
                    let compressor = match c.as_mut() {
                        Some(z) => z,
                        None => c.insert(zstd::bulk::Compressor::new(ZSTD_LEVEL)?),
                    };
                    compressor.compress(data)
                })
            }
            Coding::Gzip => {
                let mut gz = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 4),
                    flate2::Compression::default(),
                );
                gz.write_all(data)?;
                gz.finish()
            }
        }
    }
}

/// The coding to answer in: zstd if the client takes it, else gzip, else
/// none. A coding with `q=0` is refused; `*` stands for any.
fn chosen(headers: &HeaderMap) -> Option<Coding> {
    let mut zstd = None;
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let takes = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .all(|q| q.trim().parse::<f32>().map_or(true, |q| q > 0.0));
            match name.as_str() {
                "zstd" => zstd = Some(takes),
                "gzip" | "x-gzip" => gzip = Some(takes),
                "*" => any = Some(takes),
                _ => {}
            }
        }
    }
    let takes = |named: Option<bool>| named.or(any).unwrap_or(false);
    if takes(zstd) {
        Some(Coding::Zstd)
    } else if takes(gzip) {
        Some(Coding::Gzip)
    } else {
        None
    }
}

/// The middleware: answers as the client asked, compressed when worth it.
pub async fn compress(req: Request, next: Next) -> Response {
    let coding = chosen(req.headers());
    let resp = next.run(req).await;
    let skip = resp.headers().contains_key(header::CONTENT_ENCODING)
        || resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(left_plain)
        || matches!(
            resp.status(),
            StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
        )
        || resp
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
            .is_some_and(|n| n <= COMPRESS_ABOVE);
    if skip {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let data = match to_bytes(body, MAX_ANSWER_BYTES).await {
        Ok(d) => d,
        Err(e) => return failed(&e.to_string()),
    };
    // Small answers are the same whatever the client accepts; larger ones
    // vary with it, compressed or not, and say so to caches.
    if data.len() <= COMPRESS_ABOVE {
        return Response::from_parts(parts, Body::from(data));
    }
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(coding) = coding else {
        return Response::from_parts(parts, Body::from(data));
    };
    let packed = if data.len() > BLOCKING_ABOVE {
        let d = data.clone();
        tokio::task::spawn_blocking(move || coding.encode(&d))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    } else {
        coding.encode(&data)
    };
    let packed = match packed {
        Ok(p) => p,
        Err(e) => return failed(&e.to_string()),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.name()),
    );
    Response::from_parts(parts, Body::from(packed))
}

/// Answers sent as they are: formats compressed inside (an XLSX export is
/// a zip), and the console's pages, which carry a CSRF token next to text
/// the user typed; compressed, their length would leak the token (BREACH).
fn left_plain(content_type: &str) -> bool {
    content_type.starts_with("image/")
        || content_type.starts_with("text/html")
        || content_type.contains("zip")
        || content_type.contains("openxmlformats")
}

fn failed(why: &str) -> Response {
    tracing::error!(error = why, "compressing an answer failed");
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ApiErrorCode::Internal,
        "internal error",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Option<Coding> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        chosen(&h)
    }

    #[test]
    fn the_client_chooses_and_zstd_wins_a_tie() {
        assert_eq!(chosen(&HeaderMap::new()), None);
        assert_eq!(accept("zstd"), Some(Coding::Zstd));
        assert_eq!(accept("gzip"), Some(Coding::Gzip));
        assert_eq!(accept("gzip, zstd"), Some(Coding::Zstd));
        assert_eq!(accept("zstd;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(accept("zstd;q=0, gzip;q=0"), None);
        assert_eq!(accept("identity"), None);
        assert_eq!(accept("br, *;q=0.1"), Some(Coding::Zstd));
        assert_eq!(accept("*, zstd;q=0"), Some(Coding::Gzip));
    }

    #[test]
    fn pages_and_packed_formats_are_left_plain() {
        assert!(left_plain("text/html; charset=utf-8"));
        assert!(left_plain(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ));
        assert!(!left_plain("application/json"));
        assert!(!left_plain("text/csv; charset=utf-8"));
    }

    #[test]
    fn both_codings_round_trip() {
        let data = br#"{"changes":[{"kind":"site","key":"s1"}]}"#.repeat(100);
        let z = Coding::Zstd.encode(&data).unwrap();
        assert_eq!(zstd::bulk::decompress(&z, data.len()).unwrap(), data);
        // The thread's context is reused for the next answer.
        let z2 = Coding::Zstd.encode(&data).unwrap();
        assert_eq!(z, z2);
        let g = Coding::Gzip.encode(&data).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&g[..]), &mut out).unwrap();
        assert_eq!(out, data);
    }
}
