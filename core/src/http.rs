//! The HTTP side of the protocol: its calls, and the mapping of every
//! transport and status failure to [`Error`].

use std::time::Duration;
use volunteer_domain::wire::{
    CodeRequest, CodeResponse, ReceivedChange, RedeemRequest, RegisterRequest,
};
use volunteer_domain::{ApiError, SignInRequest, SignInResponse, SyncRequest, SyncResponse};

use crate::error::{Error, Result};

pub struct Http {
    base: reqwest::Url,
    client: reqwest::Client,
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
            .timeout(timeout)
            .user_agent(concat!("volunteer-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        Ok(Http { base, client })
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
        let resp = self
            .client
            .post(self.url("v1/sync")?)
            .bearer_auth(token)
            .json(req)
            .send()
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
