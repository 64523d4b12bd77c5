//! How a command ends, and its exit code.

use std::process::ExitCode;

use marginproof_storage::StoreError;

/// The end of a command. Errors print their own message only: every error of this project's
/// libraries already names its cause in its message, so printing the `source` chain would repeat it.
pub enum Outcome {
    /// Exit 0.
    Valid,
    /// Exit 1: something present does not verify.
    Rejected(anyhow::Error),
    /// Exit 2: bad usage, a missing or unreadable file, or invalid venue input.
    Unusable(anyhow::Error),
}

impl Outcome {
    /// Prints the reason (if any) and returns the exit code.
    pub fn report(self) -> ExitCode {
        match self {
            Outcome::Valid => ExitCode::SUCCESS,
            Outcome::Rejected(e) => {
                eprintln!("marginproof: does not verify: {e}");
                ExitCode::from(1)
            }
            Outcome::Unusable(e) => {
                eprintln!("marginproof: error: {e}");
                ExitCode::from(2)
            }
        }
    }
}

/// Lets commands use `?` with the exit code decided at the error site.
pub trait OrExit<T> {
    /// An error here is a rejection (exit 1).
    fn rejected(self) -> Result<T, Outcome>;
    /// An error here is unusable input (exit 2).
    fn unusable(self) -> Result<T, Outcome>;
}

impl<T, E: Into<anyhow::Error>> OrExit<T> for Result<T, E> {
    fn rejected(self) -> Result<T, Outcome> {
        self.map_err(|e| Outcome::Rejected(e.into()))
    }
    fn unusable(self) -> Result<T, Outcome> {
        self.map_err(|e| Outcome::Unusable(e.into()))
    }
}

/// Runs a command body, mapping `Err(outcome)` and `Ok(())` to an outcome.
pub fn finish(result: Result<(), Outcome>) -> Outcome {
    match result {
        Ok(()) => Outcome::Valid,
        Err(outcome) => outcome,
    }
}

/// A file error: present but wrong is a rejection (1), missing or unreadable is unusable (2).
pub fn store_outcome(e: StoreError) -> Outcome {
    if e.is_invalid() {
        Outcome::Rejected(e.into())
    } else {
        Outcome::Unusable(e.into())
    }
}

/// For `--json`: prints the value of a result, or `{"valid": false, "reason": …}` for a rejection.
/// Unusable input prints nothing on standard output (its message goes to standard error).
pub fn print_json<T>(result: &Result<T, Outcome>, to_json: impl FnOnce(&T) -> serde_json::Value) {
    let json = match result {
        Ok(value) => to_json(value),
        Err(Outcome::Rejected(e)) => serde_json::json!({ "valid": false, "reason": e.to_string() }),
        Err(_) => return,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}
