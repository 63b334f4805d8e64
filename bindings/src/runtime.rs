//! The one tokio runtime the bindings own. Exported async functions hand
//! their work to it, so they can be polled by any foreign executor (Kotlin
//! coroutines, Swift tasks) and a panic inside becomes an error.

use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::Runtime;

use crate::error::{VolunteerError, panic_message};

fn runtime() -> Result<&'static Runtime, VolunteerError> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("volunteer-core")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| VolunteerError::Internal {
            reason: format!("cannot start the async runtime: {e}"),
        })
}

/// Run `fut` on the bindings' runtime and wait for it from any executor.
pub(crate) async fn run<T, F>(fut: F) -> Result<T, VolunteerError>
where
    F: Future<Output = Result<T, volunteer_core::Error>> + Send + 'static,
    T: Send + 'static,
{
    match runtime()?.spawn(fut).await {
        Ok(r) => r.map_err(VolunteerError::from),
        Err(e) if e.is_panic() => Err(VolunteerError::Internal {
            reason: format!("panic: {}", panic_message(e.into_panic().as_ref())),
        }),
        Err(e) => Err(VolunteerError::Internal {
            reason: e.to_string(),
        }),
    }
}

/// Enter the bindings' runtime, for calls that start background tasks.
pub(crate) fn enter() -> Result<tokio::runtime::EnterGuard<'static>, VolunteerError> {
    Ok(runtime()?.enter())
}
