//! The HTTP side of the protocol: its calls, and the mapping of every
//! transport and status failure to [`Error`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use volunteer_domain::wire::{
    COMPRESS_ABOVE, COMPRESSED_REQUESTS_SINCE, CodeRequest, CodeResponse, REVISION_HEADER,
    ReceivedChange, RedeemRequest, RegisterRequest,
};
use volunteer_domain::{ApiError, SignInRequest, SignInResponse, SyncRequest, SyncResponse};

use crate::error::{Error, Result};

/// How long an idle connection is kept for the next request.
const IDLE_CONNECTION: Duration = Duration::from_secs(5);

pub struct Http {
    base: reqwest::Url,
    client: reqwest::Client,
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
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            volunteer_domain::wire::REVISION_HEADER,
            reqwest::header::HeaderValue::from(volunteer_domain::wire::PROTOCOL_REVISION),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            // Dropped before the server's keep-alive (10 s) ends: a request
            // sent on a connection the server is just closing fails as if
            // the device were offline (1,000 phones in the bench hit it).
            .pool_idle_timeout(IDLE_CONNECTION)
            .timeout(timeout)
            .user_agent(concat!("volunteer-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        Ok(Http {
            base,
            client,
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
    }

    fn heard(&self, resp: &reqwest::Response) {
        let revision = resp
            .headers()
            .get(REVISION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok());
        if let Some(r) = revision {
            self.server_revision.store(r, Ordering::Relaxed);
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
        let request = self
            .client
            .post(self.url("v1/sync")?)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        let body = serde_json::to_vec(req)?;
        // A day's offline backlog goes up compressed to a server that reads it.
        let resp =
            if body.len() > COMPRESS_ABOVE && self.server_revision() >= COMPRESSED_REQUESTS_SINCE {
                let packed = zstd::bulk::compress(&body, 3)
                    .map_err(|e| Error::Internal(format!("compress: {e}")))?;
                request
                    .header(reqwest::header::CONTENT_ENCODING, "zstd")
                    .body(packed)
            } else {
                request.body(body)
            }
            .send()
            .await?;
        self.heard(&resp);
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
