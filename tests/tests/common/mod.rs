//! Helpers of the end-to-end tests: where the `marginproof` binary is, how to run it, the shared
//! honest bundle (proven once per test binary), and small exact-decimal and CSV readers that do
//! not use the product's own parsers.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use marginproof_circuits::model::{PositionInUnits, RecordInUnits};
use num_bigint::BigInt;
use serde_json::Value;
use tempfile::TempDir;

/// Runs `marginproof` with arguments of any type that is an `OsStr` (strings, paths).
macro_rules! marginproof {
    ($($arg:expr),* $(,)?) => {
        $crate::common::run(&[$(::std::ffi::OsStr::new(&$arg)),*])
    };
}
pub(crate) use marginproof;

/// The synthetic venue every bundle test uses: `generate --accounts 12 --assets 2 --markets 1
/// --seed 7`, proven in batches of 4 (three batch proofs).
pub const ACCOUNTS: usize = 12;
/// Accounts per batch proof.
pub const BATCH_SIZE: &str = "4";
/// The snapshot id the generator gives seed 7.
pub const SNAPSHOT_ID: &str = "synthetic-7";
/// The snapshot id of the second proof of the same accounts.
pub const OTHER_SNAPSHOT_ID: &str = "synthetic-7-rerun";

/// The workspace root (the parent of this crate).
#[allow(dead_code)]
pub fn workspace_root() -> PathBuf {
    workspace_dir()
}

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// The directory of the running test binary's profile: `<target>/<profile>` (the test binary
/// itself is in `<target>/<profile>/deps/`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary is in <target>/<profile>/deps")
        .to_path_buf()
}

/// The target directory.
pub fn target_dir() -> PathBuf {
    profile_dir()
        .parent()
        .expect("<target>/<profile> has a parent")
        .to_path_buf()
}

/// The newest modification time among the files under `dir` (recursively).
pub fn newest_under(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let candidate = if path.is_dir() {
            newest_under(&path)
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .map(|t| (t, path))
        };
        if let Some((t, p)) = candidate {
            if newest.as_ref().is_none_or(|(n, _)| t > *n) {
                newest = Some((t, p));
            }
        }
    }
    newest
}

/// The `marginproof` binary under test: `$MARGINPROOF_BIN` if set, else the one of this profile.
/// `cargo test --workspace` builds the latter; `cargo test -p marginproof-tests` does not, so this
/// refuses a missing binary, and one older than the sources of the crates it is built from (it
/// would test an old product).
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("MARGINPROOF_BIN") {
            return PathBuf::from(path);
        }
        let path = profile_dir().join(format!("marginproof{}", std::env::consts::EXE_SUFFIX));
        let built = fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| {
                panic!(
                    "{} does not exist: run `cargo build -p marginproof-cli` (same profile) before \
                     `cargo test -p marginproof-tests`, or run `cargo test --workspace`",
                    path.display()
                )
            });
        let root = workspace_dir();
        for krate in ["cli", "prover", "verifier", "circuits", "reserves"] {
            for source in [
                root.join(krate).join("src"),
                root.join(krate).join("Cargo.toml"),
            ] {
                let newest = if source.is_dir() {
                    newest_under(&source)
                } else {
                    fs::metadata(&source)
                        .and_then(|m| m.modified())
                        .ok()
                        .map(|t| (t, source.clone()))
                };
                if let Some((t, file)) = newest {
                    assert!(
                        t <= built,
                        "{} is older than {}: run `cargo build -p marginproof-cli` first",
                        path.display(),
                        file.display()
                    );
                }
            }
        }
        path
    })
}

/// One shared cache of IPA parameters for every test (they are deterministic; writers rename
/// atomically).
pub fn cache_dir() -> PathBuf {
    target_dir().join("marginproof-test-cache")
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:?}"))
    }
}

/// Runs `marginproof ARGS`.
pub fn run(args: &[&OsStr]) -> Run {
    run_with_env(args, &[])
}

/// Runs `marginproof ARGS` with the environment variables `env` set.
pub fn run_with_env(args: &[&OsStr], env: &[(&str, &OsStr)]) -> Run {
    let output = Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run marginproof");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Asserts exit 0.
pub fn assert_valid(run: &Run) {
    assert_eq!(run.code, Some(0), "expected exit 0:\n{run:#?}");
}

/// Asserts exit `code` and that standard error names `reason`.
pub fn assert_exit(run: &Run, code: i32, reason: &str) {
    assert_eq!(run.code, Some(code), "expected exit {code}:\n{run:#?}");
    assert!(
        run.stderr.contains(reason),
        "stderr does not contain `{reason}`:\n{}",
        run.stderr
    );
}

/// Asserts a `--json` rejection: exit 1, and both standard error and the JSON `reason` name
/// `reason`, with `valid` false.
pub fn assert_json_rejection(run: &Run, reason: &str) {
    assert_exit(run, 1, reason);
    let json = run.json();
    assert_eq!(json["valid"], Value::Bool(false), "{json:#}");
    let text = json["reason"].as_str().expect("a `reason` string");
    assert!(
        text.contains(reason),
        "reason does not contain `{reason}`: {text}"
    );
}

/// A directory for the whole run of this test binary, under the target directory; directories of
/// earlier runs (older than an hour, so never a concurrent run's) are removed.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = target_dir().join("marginproof-e2e");
        fs::create_dir_all(&base).expect("create the e2e directory");
        let stale = SystemTime::now() - Duration::from_secs(3600);
        for entry in fs::read_dir(&base)
            .expect("list the e2e directory")
            .flatten()
        {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < stale);
            if old {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        tempfile::Builder::new()
            .prefix("run-")
            .tempdir_in(&base)
            .expect("create the run directory")
            .keep()
    })
}

/// A proven venue: its input files and its bundle.
#[derive(Debug)]
pub struct Venue {
    /// `venue.toml`.
    pub config: PathBuf,
    /// `accounts.csv`.
    pub accounts: PathBuf,
    /// The bundle directory.
    pub bundle: PathBuf,
}

impl Venue {
    /// `bundle/public`.
    pub fn public(&self) -> PathBuf {
        self.bundle.join("public")
    }

    /// `bundle/public/manifest.json`.
    pub fn manifest(&self) -> PathBuf {
        self.public().join("manifest.json")
    }
}

/// The venue's 32-byte secret, written once.
pub fn secret_file() -> &'static Path {
    static SECRET: OnceLock<PathBuf> = OnceLock::new();
    SECRET.get_or_init(|| {
        let path = run_dir().join("secret");
        let bytes: Vec<u8> = (0u8..32)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        fs::write(&path, bytes).expect("write the secret");
        path
    })
}

/// The generated venue files (`generate --accounts 12 --assets 2 --markets 1 --seed 7`).
fn generated() -> &'static (PathBuf, PathBuf) {
    static FILES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = run_dir().join("venue");
        let out = marginproof!(
            "generate",
            "--accounts",
            ACCOUNTS.to_string(),
            "--assets",
            "2",
            "--markets",
            "1",
            "--seed",
            "7",
            "--out",
            dir,
        );
        assert_valid(&out);
        (dir.join("venue.toml"), dir.join("accounts.csv"))
    })
}

/// Proves `config` and `accounts` into `bundle` with the shared secret and cache.
pub fn prove(config: &Path, accounts: &Path, bundle: &Path) -> Run {
    prove_with_cache(config, accounts, bundle, &cache_dir())
}

/// [`prove`] with the parameter and key cache `cache`.
pub fn prove_with_cache(config: &Path, accounts: &Path, bundle: &Path, cache: &Path) -> Run {
    marginproof!(
        "prove",
        "--config",
        config,
        "--accounts",
        accounts,
        "--out",
        bundle,
        "--batch-size",
        BATCH_SIZE,
        "--secret-file",
        secret_file(),
        "--cache-dir",
        cache,
    )
}

/// The honest venue, proven once per test binary.
pub fn honest() -> &'static Venue {
    static VENUE: OnceLock<Venue> = OnceLock::new();
    VENUE.get_or_init(|| {
        let (config, accounts) = generated().clone();
        let bundle = run_dir().join("honest");
        assert_valid(&prove(&config, &accounts, &bundle));
        Venue {
            config,
            accounts,
            bundle,
        }
    })
}

/// The same accounts and secret proven again as another snapshot (only `[snapshot] id` differs).
pub fn other_snapshot() -> &'static Venue {
    static VENUE: OnceLock<Venue> = OnceLock::new();
    VENUE.get_or_init(|| {
        let (text, accounts) = config_with_snapshot_id(OTHER_SNAPSHOT_ID);
        let dir = run_dir().join("other");
        fs::create_dir_all(&dir).expect("create the other venue directory");
        let config = dir.join("venue.toml");
        fs::write(&config, text).expect("write the other venue.toml");
        let bundle = dir.join("bundle");
        assert_valid(&prove(&config, &accounts, &bundle));
        Venue {
            config,
            accounts,
            bundle,
        }
    })
}

/// The snapshot id of the third proof: the same accounts plus [`TEN_UNITS_ACCOUNT`], the first
/// asset's price moved.
#[allow(dead_code)]
pub const THIRD_SNAPSHOT_ID: &str = "synthetic-7-third";
/// An account of the third snapshot with ten margin units (a cross unit and nine isolated ones).
#[allow(dead_code)]
pub const TEN_UNITS_ACCOUNT: &str = "ten-units";
/// A healthy account of the generated venue that some prices would liquidate, or bankrupt, on
/// either side (BTC down, the BTC perpetual up): what each unit of [`TEN_UNITS_ACCOUNT`] holds.
#[allow(dead_code)]
pub const AT_RISK_ACCOUNT: &str = "acct-000004";

/// A third snapshot (issue 32's history): [`THIRD_SNAPSHOT_ID`], the first asset's price with a
/// `1` written in front of it, and the accounts of [`honest`] plus [`TEN_UNITS_ACCOUNT`], whose
/// ten units each hold what [`AT_RISK_ACCOUNT`] holds.
#[allow(dead_code)]
pub fn third_snapshot() -> &'static Venue {
    static VENUE: OnceLock<Venue> = OnceLock::new();
    VENUE.get_or_init(|| {
        let (text, accounts) = config_with_snapshot_id(THIRD_SNAPSHOT_ID);
        let price = "\nprice = \"";
        let at = text.find(price).expect("an asset price") + price.len();
        let text = format!("{}1{}", &text[..at], &text[at..]);
        let dir = run_dir().join("third");
        fs::create_dir_all(&dir).expect("create the third venue directory");
        let config = dir.join("venue.toml");
        fs::write(&config, text).expect("write the third venue.toml");

        let csv = fs::read_to_string(&accounts).expect("read accounts.csv");
        let row = csv
            .lines()
            .find(|line| line.starts_with(&format!("{AT_RISK_ACCOUNT},")))
            .expect("the account at risk");
        let cells: Vec<&str> = row.split(',').skip(2).collect();
        let mut csv = csv.trim_end().to_string();
        for unit in 0..10 {
            let label = if unit == 0 {
                String::new()
            } else {
                format!("iso-{unit}")
            };
            csv.push_str(&format!(
                "\n{TEN_UNITS_ACCOUNT},{label},{}",
                cells.join(",")
            ));
        }
        csv.push('\n');
        let accounts = dir.join("accounts.csv");
        fs::write(&accounts, csv).expect("write the third accounts.csv");
        let bundle = dir.join("bundle");
        assert_valid(&prove(&config, &accounts, &bundle));
        Venue {
            config,
            accounts,
            bundle,
        }
    })
}

/// Copies the directory `from` into `to` (recursively).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy");
    for entry in fs::read_dir(from).expect("list the directory").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// A private copy of the honest bundle's `public/` directory, to tamper with.
pub fn public_copy() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("tempdir");
    let public = dir.path().join("public");
    copy_dir(&honest().public(), &public);
    (dir, public)
}

/// The path of batch `i`'s proof in a `public/` directory.
pub fn proof_path(public: &Path, i: usize) -> PathBuf {
    public.join("batches").join(format!("batch-{i:06}.proof"))
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).expect("read a JSON file");
    serde_json::from_str(&text).expect("a JSON file")
}

/// Rewrites the JSON file at `path` through `edit`.
pub fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut value = read_json(path);
    edit(&mut value);
    fs::write(
        path,
        serde_json::to_string_pretty(&value).expect("serialize"),
    )
    .expect("write JSON");
}

/// A hex field element (little-endian, SPEC §3) with its lowest bit flipped: another canonical
/// element.
pub fn other_field_element(hex: &str) -> String {
    assert_eq!(hex.len(), 64, "{hex}");
    let low = u8::from_str_radix(&hex[..2], 16).expect("hex");
    format!("{:02x}{}", low ^ 1, &hex[2..])
}

/// An exact decimal as an integer count of `10^-scale`, without the product's parser: an optional
/// `-`, digits, and an optional `.` with at most `scale` digits.
pub fn scaled(text: &str, scale: usize) -> BigInt {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    assert!(
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= scale,
        "`{text}` is not a decimal with at most {scale} fractional digits"
    );
    let digits = format!("{int}{frac:0<scale$}");
    let magnitude: BigInt = digits.parse().expect("digits");
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// One row of the accounts CSV: the account id and its non-empty cells by column name.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// `account_id`.
    pub id: String,
    /// Column name → cell text, for the non-empty cells.
    pub cells: BTreeMap<String, String>,
}

impl CsvRow {
    /// The cell of `column` as an integer count of `10^-scale` (an empty cell is zero).
    pub fn scaled(&self, column: &str, scale: usize) -> BigInt {
        self.cells
            .get(column)
            .map_or_else(|| BigInt::from(0), |text| scaled(text, scale))
    }

    /// The row as a record in units, for the configuration's asset and market symbols.
    pub fn record(&self, assets: &[String], markets: &[String]) -> RecordInUnits {
        let mut units = RecordInUnits::default();
        for symbol in assets {
            if let Some(text) = self.cells.get(symbol) {
                units.balances.insert(symbol.clone(), text.clone());
            }
            if let Some(text) = self.cells.get(&format!("{symbol}_debt")) {
                units.debts.insert(symbol.clone(), text.clone());
            }
        }
        for symbol in markets {
            let size = self.cells.get(&format!("{symbol}_size"));
            let cost = self.cells.get(&format!("{symbol}_cost"));
            if size.is_some() || cost.is_some() {
                let zero = "0".to_string();
                units.positions.insert(
                    symbol.clone(),
                    PositionInUnits {
                        size: size.unwrap_or(&zero).clone(),
                        cost: cost.unwrap_or(&zero).clone(),
                    },
                );
            }
        }
        units
    }
}

/// Reads the generated accounts CSV (plain cells, no quoting).
pub fn read_csv(path: &Path) -> Vec<CsvRow> {
    let text = fs::read_to_string(path).expect("read the accounts CSV");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[0], "account_id");
    lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), header.len(), "{line}");
            CsvRow {
                id: fields[0].to_string(),
                cells: header[1..]
                    .iter()
                    .zip(&fields[1..])
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(name, cell)| (name.to_string(), cell.to_string()))
                    .collect(),
            }
        })
        .collect()
}

/// 1-based line and column (in characters) of the first `needle` in `text` after `after`.
pub fn position(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).expect("anchor in text");
    let offset = start + text[start..].find(needle).expect("needle in text");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------------
// Helpers of the crash-safety and secrets tests (`resume.rs`, `secrets.rs`)
// ---------------------------------------------------------------------------------------------

/// Writes `generate --accounts 24 --assets 40 --markets 4 --seed 9 --whales 0.1` to `venue`: 3
/// whales of 10 to 40 assets and a market maker holding all 40 assets and 4 markets beside 20
/// accounts of at most 4 assets and 2 positions (the size-class tests' venue).
#[allow(dead_code)]
pub fn generate_whale_venue(venue: &Path) {
    assert_valid(&marginproof!(
        "generate",
        "--accounts",
        "24",
        "--assets",
        "40",
        "--markets",
        "4",
        "--seed",
        "9",
        "--whales",
        "0.1",
        "--out",
        venue,
    ));
}

/// The generated venue's configuration with its snapshot id replaced by `id`.
#[allow(dead_code)]
fn config_with_snapshot_id(id: &str) -> (String, PathBuf) {
    let (config, accounts) = generated().clone();
    let text = fs::read_to_string(&config).expect("read venue.toml");
    let needle = format!("id = \"{SNAPSHOT_ID}\"");
    assert!(text.contains(&needle), "{text}");
    (text.replace(&needle, &format!("id = \"{id}\"")), accounts)
}

/// A fresh directory under this run's directory (removed when dropped).
#[allow(dead_code)]
pub fn tempdir() -> TempDir {
    tempfile::Builder::new()
        .prefix("t-")
        .tempdir_in(run_dir())
        .expect("create a test directory")
}

/// `generate --accounts N --assets 2 --markets 1 --seed SEED --out DIR`: `(venue.toml,
/// accounts.csv)`.
#[allow(dead_code)]
pub fn generate_venue(dir: &Path, accounts: usize, seed: u64) -> (PathBuf, PathBuf) {
    let out = marginproof!(
        "generate",
        "--accounts",
        accounts.to_string(),
        "--assets",
        "2",
        "--markets",
        "1",
        "--seed",
        seed.to_string(),
        "--out",
        dir,
    );
    assert_valid(&out);
    (dir.join("venue.toml"), dir.join("accounts.csv"))
}

/// The arguments of `prove` into `out` with the shared cache; `secret` is `--secret-file`.
#[allow(dead_code)]
pub fn prove_args(
    config: &Path,
    accounts: &Path,
    out: &Path,
    secret: Option<&Path>,
    batch_size: &str,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "prove".into(),
        "--config".into(),
        config.into(),
        "--accounts".into(),
        accounts.into(),
        "--out".into(),
        out.into(),
        "--batch-size".into(),
        batch_size.into(),
        "--cache-dir".into(),
        cache_dir().into(),
    ];
    if let Some(secret) = secret {
        args.push("--secret-file".into());
        args.push(secret.into());
    }
    args
}

/// Runs `marginproof` with owned arguments.
#[allow(dead_code)]
pub fn run_args(args: &[std::ffi::OsString]) -> Run {
    run(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())
}

/// `verify PUBLIC --json` with the shared cache.
#[allow(dead_code)]
pub fn verify_public_json(public: &Path) -> Run {
    marginproof!("verify", public, "--json", "--cache-dir", cache_dir())
}

/// Every file under `dir` (recursively), sorted.
#[allow(dead_code)]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("list a directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Lower-case hex of `bytes`.
#[allow(dead_code)]
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The portfolio-margin venue's configuration: two assets and one market; a floor of 0.1% of gross value and three shocks; a distribution.
const PORTFOLIO_CONFIG: &str = r#"
[snapshot]
id = "pm-test"
venue = "Portfolio Venue"
liquidation_threshold = "1.00"

[[assets]]
symbol = "BTC"
decimals = 8
price = "50000"
haircut = [ { up_to = "100000", rate = "1.00" }, { up_to = "500000", rate = "0.90" }, { rate = "0.80" } ]
maintenance = [ { up_to = "100000", rate = "0.05" }, { rate = "0.10" } ]

[[assets]]
symbol = "USDT"
decimals = 6
price = "1"
haircut = [ { rate = "0.99" } ]
maintenance = [ { rate = "0.02" } ]

[[markets]]
symbol = "BTC-PERP"
decimals = 4
mark_price = "50000"
maintenance = [ { up_to = "1000000", rate = "0.005" }, { rate = "0.01" } ]

[distribution]
margin_ratio_edges = ["1.0", "1.5", "3"]

[portfolio_margin]
floor_rate = "0.001"

[[portfolio_margin.shocks]]
name = "btc-down-20"
moves = { BTC = "-0.2", "BTC-PERP" = "-0.2" }

[[portfolio_margin.shocks]]
name = "btc-up-20"
moves = { BTC = "0.2", "BTC-PERP" = "0.2" }

[[portfolio_margin.shocks]]
name = "usdt-down-10"
moves = { USDT = "-0.1" }
"#;

/// Its accounts: three portfolio-margin units (a hedge with cash, a pure basis trade, a borrower) and three
/// standard ones, one of them the same borrower's holdings under the standard model.
const PORTFOLIO_ACCOUNTS: &str = "\
account_id,margin_mode,BTC,BTC_debt,USDT,USDT_debt,BTC-PERP_size,BTC-PERP_cost
hedge,portfolio,1,,2000,,-1,-50000
basis,portfolio,1,,,,-1,-50000
borrower,portfolio,1,,,30000,,
alice,,1,,,,,
bob,standard,1,,,30000,,
carol,,,,1000,,1,50950
";

/// The portfolio-margin venue (SPEC §12), proven once per test binary in batches of 4: one
/// standard and one portfolio-margin class.
#[allow(dead_code)]
pub fn portfolio_venue() -> &'static Venue {
    static VENUE: OnceLock<Venue> = OnceLock::new();
    VENUE.get_or_init(|| {
        let dir = tempdir().keep();
        let (config, accounts) = (dir.join("venue.toml"), dir.join("accounts.csv"));
        fs::write(&config, PORTFOLIO_CONFIG).expect("write the config");
        fs::write(&accounts, PORTFOLIO_ACCOUNTS).expect("write the accounts");
        let bundle = dir.join("bundle");
        assert_valid(&prove(&config, &accounts, &bundle));
        Venue {
            config,
            accounts,
            bundle,
        }
    })
}
