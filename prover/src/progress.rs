//! Progress of a long run, reported through a callback: the library says what happened, the
//! command line draws it (stage lines and an `indicatif` bar in `marginproof`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One thing that happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressEvent<'a> {
    /// A stage ended (plan, shuffle and salts, tree, witness, parameters, keys, …).
    StageDone {
        /// The stage's name.
        stage: &'a str,
        /// Its wall time.
        took: Duration,
    },
    /// Proving starts: `batches` proofs to make (proofs kept from an earlier run excluded).
    ProvingStarted {
        /// Proofs to make.
        batches: usize,
    },
    /// One batch proof was made and written.
    BatchProven {
        /// The batch.
        index: usize,
    },
    /// Every proof to make is made.
    ProvingDone,
}

/// Where progress goes: a callback shared by the threads that prove batches.
#[derive(Clone)]
pub struct ProgressSink(Arc<dyn Fn(ProgressEvent<'_>) + Send + Sync>);

impl ProgressSink {
    /// Reports to `report`.
    pub fn new(report: impl Fn(ProgressEvent<'_>) + Send + Sync + 'static) -> Self {
        ProgressSink(Arc::new(report))
    }

    /// Reports nothing.
    pub fn silent() -> Self {
        ProgressSink::new(|_| {})
    }

    /// Reports `event`.
    pub fn report(&self, event: ProgressEvent<'_>) {
        (self.0)(event)
    }
}

impl Default for ProgressSink {
    fn default() -> Self {
        ProgressSink::silent()
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}
