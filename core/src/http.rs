//! The HTTP side of the protocol: its calls, the transport they travel on,
//! and the mapping of every transport and status failure to [`Error`].
//!
//! Requests start on HTTP/1.1. Over `http://`, once the server has said it
//! speaks revision [`H2C_SINCE`] or later, syncs move to cleartext HTTP/2
//! on one kept connection, whose compressed headers make a no-op sync a few
//! hundred bytes; if an HTTP/2 sync fails where HTTP/1.1 answers (a proxy
//! between that reads only HTTP/1.1), the client goes back to HTTP/1.1 for
//! good. Over `https://` the TLS handshake chooses (ALPN).

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::time::Duration;
use volunteer_domain::wire::{
    COMPRESS_ABOVE, COMPRESSED_REQUESTS_SINCE, CodeRequest, CodeResponse, H2C_SINCE,
    REVISION_HEADER, ReceivedChange, RedeemRequest, RegisterRequest,
};
use volunteer_domain::{ApiError, SignInRequest, SignInResponse, SyncRequest, SyncResponse};

use crate::error::{Error, Result};

/// How long an idle connection is kept for the next request.
const IDLE_CONNECTION: Duration = Duration::from_secs(5);

/// Where requests go: [`Transport`] values kept in an `AtomicU8`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Transport {
    /// HTTP/1.1 (or what TLS chose): the server has not offered HTTP/2.
    Http1 = 0,
    /// The server offers cleartext HTTP/2: syncs go on it.
    H2c = 1,
    /// Cleartext HTTP/2 failed where HTTP/1.1 works: never again.
    H2cRefused = 2,
}

impl Transport {
    fn of(v: u8) -> Transport {
        match v {
            1 => Transport::H2c,
            2 => Transport::H2cRefused,
            _ => Transport::Http1,
        }
    }
}

pub struct Http {
    base: reqwest::Url,
    client: reqwest::Client,
    /// The same settings over cleartext HTTP/2 (`http://` servers only).
    h2c: Option<reqwest::Client>,
    transport: AtomicU8,
    /// The protocol revision the server last answered with (0: not heard
    /// yet); it decides whether request bodies may be compressed.
    server_revision: AtomicU32,
}

impl Http {
    pub fn new(server_url: &str, timeout: Duration) -> Result<Http> {
        let mut base = reqwest::Url::parse(server_url)
            .map_err(|e| Error::invalid("server_url", e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::invalid("server_url", "must be an http or https URL"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let builder = || {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                REVISION_HEADER,
                reqwest::header::HeaderValue::from(volunteer_domain::wire::PROTOCOL_REVISION),
            );
            reqwest::Client::builder()
                .default_headers(headers)
                .connect_timeout(Duration::from_secs(10).min(timeout))
                // Dropped before the server's keep-alive (10 s) ends: a request
                // sent on a connection the server is just closing fails as if
                // the device were offline (1,000 phones in the bench hit it).
                .pool_idle_timeout(IDLE_CONNECTION)
                .timeout(timeout)
                .user_agent(concat!("volunteer-core/", env!("CARGO_PKG_VERSION")))
        };
        let build = |b: reqwest::ClientBuilder| {
            b.build()
                .map_err(|e| Error::Internal(format!("http client: {e}")))
        };
        let (client, h2c) = if base.scheme() == "http" {
            (
                build(builder().http1_only())?,
                Some(build(builder().http2_prior_knowledge())?),
            )
        } else {
            (build(builder())?, None)
        };
        Ok(Http {
            base,
            client,
            h2c,
            transport: AtomicU8::new(Transport::Http1 as u8),
            server_revision: AtomicU32::new(0),
        })
    }

    /// The server's revision as last heard (0: never).
    pub fn server_revision(&self) -> u32 {
        self.server_revision.load(Ordering::Relaxed)
    }

    /// What an earlier session heard (kept in the replica), until the server
    /// answers again.
    pub fn assume_server_revision(&self, revision: u32) {
        self.server_revision.store(revision, Ordering::Relaxed);
        self.offer_h2c(revision);
    }

    /// Whether syncs now travel on cleartext HTTP/2.
    pub fn uses_h2c(&self) -> bool {
        self.transport() == Transport::H2c
    }

    fn transport(&self) -> Transport {
        Transport::of(self.transport.load(Ordering::SeqCst))
    }

    /// A server of revision [`H2C_SINCE`] or later serves cleartext HTTP/2
    /// on the same port: try it next, unless it failed before.
    fn offer_h2c(&self, revision: u32) {
        if revision >= H2C_SINCE && self.h2c.is_some() {
            let _ = self.transport.compare_exchange(
                Transport::Http1 as u8,
                Transport::H2c as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
    }

    fn heard(&self, resp: &reqwest::Response) {
        let revision = resp
            .headers()
            .get(REVISION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok());
        if let Some(r) = revision {
            self.server_revision.store(r, Ordering::Relaxed);
            self.offer_h2c(r);
        }
    }

    /// Send the request `make` builds on the current transport. A cleartext
    /// HTTP/2 request that fails is sent again on HTTP/1.1; if that one is
    /// answered, HTTP/1.1 is used for good. Only sync goes this way (it is
    /// the traffic, and it is safe to send twice: exactly-once by its
    /// sequence numbers); the rare calls (sign-in, codes, sign-out) stay on
    /// HTTP/1.1.
    async fn send(
        &self,
        make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let h2c = match (self.transport(), &self.h2c) {
            (Transport::H2c, Some(c)) => c,
            _ => {
                let resp = make(&self.client).send().await?;
                self.heard(&resp);
                return Ok(resp);
            }
        };
        match make(h2c).send().await {
            Ok(resp) => {
                self.heard(&resp);
                Ok(resp)
            }
            Err(e) => {
                // The same request on HTTP/1.1 tells a network failure (it
                // fails too: try HTTP/2 again next time) from a path that
                // does not carry HTTP/2 (it answers: stay on HTTP/1.1). A
                // path can change under a kept HTTP/2 client too: a phone
                // that moves to a network with a proxy that reads only
                // HTTP/1.1.
                let resp = make(&self.client).send().await?;
                tracing::warn!(error = %e, "cleartext HTTP/2 failed where HTTP/1.1 works; staying on HTTP/1.1");
                self.transport
                    .store(Transport::H2cRefused as u8, Ordering::SeqCst);
                self.heard(&resp);
                Ok(resp)
            }
        }
    }

    fn url(&self, path: &str) -> Result<reqwest::Url> {
        self.base
            .join(path)
            .map_err(|e| Error::Internal(format!("url: {e}")))
    }

    pub async fn sign_in(&self, req: &SignInRequest) -> Result<SignInResponse> {
        let resp = self
            .client
            .post(self.url("v1/session")?)
            .json(req)
            .send()
            .await?;
        self.heard(&resp);
        if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Error::invalid("password", "wrong login or password"));
        }
        decode(resp).await
    }

    pub async fn register(&self, req: &RegisterRequest) -> Result<SignInResponse> {
        let resp = self
            .client
            .post(self.url("v1/register")?)
            .json(req)
            .send()
            .await?;
        decode(resp).await
    }

    pub async fn redeem(&self, req: &RedeemRequest) -> Result<SignInResponse> {
        let resp = self
            .client
            .post(self.url("v1/password")?)
            .json(req)
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Error::invalid(
                "code",
                "wrong, used or expired code: ask staff for a new one",
            ));
        }
        decode(resp).await
    }

    pub async fn issue_code(&self, token: &str, req: &CodeRequest) -> Result<CodeResponse> {
        let resp = self
            .client
            .post(self.url("v1/accounts/code")?)
            .bearer_auth(token)
            .json(req)
            .send()
            .await?;
        decode(resp).await
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let resp = self
            .client
            .delete(self.url("v1/session")?)
            .bearer_auth(token)
            .send()
            .await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(error_of(resp).await)
        }
    }

    pub async fn sync(
        &self,
        token: &str,
        req: &SyncRequest,
    ) -> Result<SyncResponse<ReceivedChange>> {
        let url = self.url("v1/sync")?;
        // Not marked sensitive, so HTTP/2 indexes it once per connection
        // instead of sending the token in full on every sync. Indexing a
        // secret is a risk where other parties' requests share the
        // connection's header table; here only this device's do.
        let authorization = reqwest::header::HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| Error::SignedOut)?;
        let body = serde_json::to_vec(req)?;
        // A day's offline backlog goes up compressed to a server that reads it.
        let packed =
            if body.len() > COMPRESS_ABOVE && self.server_revision() >= COMPRESSED_REQUESTS_SINCE {
                Some(
                    zstd::bulk::compress(&body, 3)
                        .map_err(|e| Error::Internal(format!("compress: {e}")))?,
                )
            } else {
                None
            };
        let resp = self
            .send(|client| {
                let request = client
                    .post(url.clone())
                    .header(reqwest::header::AUTHORIZATION, authorization.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                match &packed {
                    Some(p) => request
                        .header(reqwest::header::CONTENT_ENCODING, "zstd")
                        .body(p.clone()),
                    None => request.body(body.clone()),
                }
            })
            .await?;
        decode(resp).await
    }
}

async fn decode<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    if resp.status().is_success() {
        Ok(resp.json().await?)
    } else {
        Err(error_of(resp).await)
    }
}

async fn error_of(resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    // Seconds only: the server sends no HTTP dates.
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match (resp.bytes().await, retry_after) {
        (Ok(body), Some(secs)) if matches!(status, 429 | 503) => Error::RetryLater {
            status,
            retry_after_secs: secs,
            message: serde_json::from_slice::<ApiError>(&body)
                .map(|e| e.message)
                .unwrap_or_default(),
        },
        (Ok(body), _) => Error::from_api(status, serde_json::from_slice::<ApiError>(&body).ok()),
        (Err(e), _) => e.into(),
    }
}
