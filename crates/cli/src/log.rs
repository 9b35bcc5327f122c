//! `-v` lines from the library crates' `tracing` events: kb-fetch reports each retry (its delay
//! and reason) and each redirect hop at info, each response at debug. `-v` shows info, `-vv`
//! debug, in the same "kb: ..." form as the CLI's own `-v` lines. No events are made otherwise.

use std::fmt::Write as _;
use std::sync::Mutex;

use indicatif::ProgressBar;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// The progress bar being drawn, if any: lines go above it rather than through it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Shows kb's events for `-v` (info) and `-vv` (debug); nothing without `-v`.
pub fn init(verbose: u8) {
    let max = match verbose {
        0 => return,
        1 => Level::INFO,
        _ => Level::DEBUG,
    };
    // Only fails if a subscriber is already set, which would then do the job.
    let _ = tracing::subscriber::set_global_default(Lines { max });
}

/// Sends lines above `bar` while it is drawn; `None` when it is gone.
pub fn set_bar(bar: Option<ProgressBar>) {
    if let Ok(mut slot) = BAR.lock() {
        *slot = bar;
    }
}

struct Lines {
    max: Level,
}

/// The event's message, then any other fields as `name=value`.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Lines {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // kb's own crates only: hyper and reqwest's internals are not for users.
        *metadata.level() <= self.max && metadata.target().starts_with("kb_")
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let line = format!("kb: {}", crate::out::safe(&message.0, false));
        match BAR.lock().ok().and_then(|bar| bar.clone()) {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
