//! `marginproof report`: the auditor's report as one self-contained HTML file (SPEC §11).
//!
//! The bundle is verified exactly as `verify` does ([`verify_dir`]); only a valid bundle gives a
//! file, written atomically. A bundle that does not verify exits 1 with the reason and writes
//! nothing.

use std::path::PathBuf;

use crate::commands::reserves::check_evidence;
use crate::commands::verify::verify_dir;
use crate::outcome::{finish, OrExit, Outcome};
use crate::report::html::report_html;
use crate::write::write_atomically;
use crate::CacheArgs;

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The published `public/` directory of a bundle.
    public: PathBuf,
    /// The HTML file to write.
    #[arg(long)]
    out: PathBuf,
    /// Derive the verifying key and parameters afresh; read and write no cache file.
    #[arg(long)]
    no_cache: bool,
    /// Check every `ethereum` wallet of `public/reserves.json` at the configured block against
    /// this JSON-RPC node (SPEC §13).
    #[arg(long, value_name = "URL")]
    eth_rpc: Option<String>,
    #[command(flatten)]
    cache: CacheArgs,
}

/// Runs `report`.
pub fn run(args: ReportArgs) -> Outcome {
    finish((|| {
        let cache_dir = args.cache.dir();
        let run = verify_dir(
            &args.public,
            (!args.no_cache).then_some(cache_dir.as_path()),
        )?;
        let evidence = check_evidence(&args.public, &run.verified, args.eth_rpc.as_deref())?;
        let html = report_html(&run.verified, &evidence);
        write_atomically(&args.out, &html).unusable()?;
        eprintln!(
            "VALID: {} batch proofs verified; wrote {}",
            run.verified.batches,
            args.out.display()
        );
        Ok(())
    })())
}
