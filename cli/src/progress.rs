//! Draws the prover's progress: each stage as a line on standard error as it ends, and an
//! `indicatif` bar while batches are proven.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use marginproof_prover::progress::{ProgressEvent, ProgressSink};

/// A sink that draws on standard error when `shown`, and reports nothing otherwise.
pub fn drawn(shown: bool) -> ProgressSink {
    if !shown {
        return ProgressSink::silent();
    }
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    ProgressSink::new(move |event| {
        let mut bar = bar.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            ProgressEvent::StageDone { stage, took } => {
                let line = format!("{stage:<22}{:>10.3} s", took.as_secs_f64());
                match bar.as_ref() {
                    Some(b) => b.println(line),
                    None => eprintln!("{line}"),
                }
            }
            ProgressEvent::ProvingStarted { batches } => {
                let b = ProgressBar::new(batches as u64);
                b.set_style(
                    ProgressStyle::with_template(
                        "proving {bar:40} {pos}/{len} batches [{elapsed_precise}, eta {eta}]",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                *bar = Some(b);
            }
            ProgressEvent::BatchProven { .. } => {
                if let Some(b) = bar.as_ref() {
                    b.inc(1);
                }
            }
            ProgressEvent::ProvingDone => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
            }
        }
    })
}
