//! Forwards the core's `tracing` events to the host app's logger.
//!
//! Filtering happens here, in Rust: an event below the chosen level never
//! crosses the FFI. The core logs no personal data above trace level.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Severity of a log message, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something went wrong and was handled (a failed sync, a rejection).
    Warn,
    /// Milestones (signed in, sync finished).
    Info,
    /// Details of sync rounds.
    Debug,
    /// Everything, including data; never enable in production.
    Trace,
}

impl LogLevel {
    fn of(level: &Level) -> LogLevel {
        match *level {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

/// The host app's log sink (Logcat, os_log, a file).
#[uniffi::export(foreign)]
pub trait Logger: Send + Sync {
    /// One message from the core's module `target`. Called on core threads.
    fn log(&self, level: LogLevel, target: String, message: String);
}

type Sink = RwLock<Option<(Arc<dyn Logger>, LogLevel)>>;

fn sink() -> &'static Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    SINK.get_or_init(|| RwLock::new(None))
}

struct ForeignLayer;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for ForeignLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        // Cloned out so the host's logger runs without our lock held.
        let Some((logger, max)) = sink().read().unwrap_or_else(|p| p.into_inner()).clone() else {
            return;
        };
        let level = LogLevel::of(event.metadata().level());
        if level > max {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let target = event.metadata().target().to_owned();
        // A logger that throws must not take the core down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            logger.log(level, target, message.0);
        }));
    }
}

/// Send the core's logs at `level` and above to `logger`. Call it once at app
/// start; a later call replaces the logger and level.
#[uniffi::export]
pub fn set_logger(logger: Arc<dyn Logger>, level: LogLevel) {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *sink().write().unwrap_or_else(|p| p.into_inner()) = Some((logger, level));
    INSTALLED.get_or_init(|| {
        // Fails only if the host process installed its own global subscriber.
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ForeignLayer))
            .is_ok()
    });
}
