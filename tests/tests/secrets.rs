//! Secrets stay secret: `private/` and everything in it is owner-only, `prove` logs nothing from
//! it, and nothing under `public/` reveals an account id, a salt or a record value.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use common::{
    assert_valid, files_under, prove_args, read_json, run_args, tempdir, to_hex,
    verify_public_json, Run,
};

const CONFIG: &str = r#"[snapshot]
id = "secrets-test"
venue = "Secret Test Venue"
liquidation_threshold = "1.00"

[[assets]]
symbol = "BTC"
decimals = 8
price = "97123.45"
haircut = [ { up_to = "30000000", rate = "1.00" }, { rate = "0.95" } ]
maintenance = [ { rate = "0.05" } ]

[[assets]]
symbol = "USDT"
decimals = 6
price = "1"
haircut = [ { rate = "1.00" } ]
maintenance = [ { rate = "0.02" } ]

[[markets]]
symbol = "BTC-PERP"
decimals = 6
mark_price = "97100"
maintenance = [ { rate = "0.01" } ]
"#;

const HEADER: &str = "account_id,BTC,BTC_debt,USDT,USDT_debt,BTC-PERP_size,BTC-PERP_cost";

/// Distinctive ids.
const IDS: [&str; 4] = [
    "zz-secret-account-7731",
    "zz-secret-account-8842",
    "zz-secret-account-9953",
    "zz-secret-account-0064",
];

/// Distinctive values, every asset and market held by at least two accounts (so no published total
/// is one account's value): `(text in the CSV, decimals of its atoms)`.
const VALUES: [(&str, u32); 13] = [
    ("123.45678901", 8),
    ("3.21098765", 8),
    ("0.57721566", 8),
    ("0.11223344", 8),
    ("0.66778899", 8),
    ("4321.987654", 6),
    ("31415.926535", 6),
    ("2718.281828", 6),
    ("1414.213562", 6),
    ("12.345678", 6),
    ("-7.654321", 6),
    ("1198765.432101", 18),
    ("-743219.876543", 18),
];

fn accounts_csv() -> String {
    let v = |i: usize| VALUES[i].0;
    let rows = [
        format!("{},{},,{},,{},{}", IDS[0], v(0), v(5), v(9), v(11)),
        format!("{},{},{},,{},{},{}", IDS[1], v(1), v(3), v(7), v(10), v(12)),
        format!("{},,,{},,,", IDS[2], v(6)),
        format!("{},{},{},,{},,", IDS[3], v(2), v(4), v(8)),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

/// The bundle of the hand-written venue, proven once without `--secret-file` (so the secret is
/// generated and kept in `private/`), in two batches of 2.
struct Proven {
    _dir: TempDir,
    bundle: PathBuf,
    run: Run,
}

fn proven() -> &'static Proven {
    static PROVEN: OnceLock<Proven> = OnceLock::new();
    PROVEN.get_or_init(|| {
        let dir = tempdir();
        let config = dir.path().join("venue.toml");
        let accounts = dir.path().join("accounts.csv");
        fs::write(&config, CONFIG).expect("write venue.toml");
        fs::write(&accounts, accounts_csv()).expect("write accounts.csv");
        let bundle = dir.path().join("bundle");
        let run = run_args(&prove_args(&config, &accounts, &bundle, None, "2"));
        assert_valid(&run);
        assert_valid(&verify_public_json(&bundle.join("public")));
        Proven {
            _dir: dir,
            bundle,
            run,
        }
    })
}

/// The salts (hex) of `private/accounts.json`, one per account.
fn salts(bundle: &Path) -> Vec<String> {
    let accounts = read_json(&bundle.join("private").join("accounts.json"));
    let salts: Vec<String> = accounts["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["salt"].as_str().expect("a salt").to_string())
        .collect();
    assert_eq!(salts.len(), IDS.len());
    salts
}

fn secret(bundle: &Path) -> Vec<u8> {
    let secret = fs::read(bundle.join("private").join("secret")).expect("the generated secret");
    assert_eq!(secret.len(), 32);
    secret
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// `text` (a decimal with at most `decimals` fractional digits) in atoms: the magnitude.
fn atoms(text: &str, decimals: u32) -> u128 {
    let body = text.trim_start_matches('-');
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = format!("{int}{frac:0<width$}", width = decimals as usize);
    digits.parse().expect("atoms")
}

/// Every form in which a value could leak: as written, in atoms (decimal, hex, little-endian hex
/// of the field element, raw little-endian bytes), and for a negative value the leaf code
/// `|x| − 1` in the same forms.
fn forms(text: &str, decimals: u32) -> Vec<Vec<u8>> {
    let mut forms = vec![
        text.as_bytes().to_vec(),
        text.trim_start_matches('-').into(),
    ];
    let magnitude = atoms(text, decimals);
    let mut numbers = vec![magnitude];
    if text.starts_with('-') {
        numbers.push(magnitude - 1);
    }
    for n in numbers {
        forms.push(n.to_string().into_bytes());
        let hex = format!("{n:x}");
        if hex.len() >= 8 {
            forms.push(hex.into_bytes());
        }
        let le: Vec<u8> = if n < 1 << 64 {
            (n as u64).to_le_bytes().to_vec()
        } else {
            n.to_le_bytes().to_vec()
        };
        forms.push(to_hex(&le).into_bytes());
        forms.push(le);
    }
    forms
}

#[cfg(unix)]
#[test]
fn private_directory_and_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let bundle = &proven().bundle;
    let mode = |path: &Path| fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    let private = bundle.join("private");
    assert_eq!(mode(&private), 0o700, "{}", private.display());
    let files = files_under(&private);
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for name in ["secret", "job.json", "accounts.json", "leaves.json"] {
        assert!(names.iter().any(|n| n == name), "no {name} in {names:?}");
    }
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

#[test]
fn prove_logs_no_account_id_salt_or_secret() {
    let p = proven();
    let secret = secret(&p.bundle);
    let mut needles: Vec<String> = IDS.iter().map(|s| s.to_string()).collect();
    needles.extend(salts(&p.bundle));
    needles.push(to_hex(&secret));
    needles.push(to_hex(&secret).to_uppercase());
    for (text, _) in VALUES {
        needles.push(text.to_string());
    }
    for needle in &needles {
        for (stream, output) in [("stdout", &p.run.stdout), ("stderr", &p.run.stderr)] {
            assert!(
                !output.contains(needle.as_str()),
                "{stream} contains `{needle}`:\n{output}"
            );
        }
    }
    for (stream, output) in [("stdout", &p.run.stdout), ("stderr", &p.run.stderr)] {
        assert!(
            !contains(output.as_bytes(), &secret),
            "{stream} contains the secret"
        );
    }
}

#[test]
fn public_reveals_no_account_id_salt_record_value_or_secret() {
    let p = proven();
    let public = p.bundle.join("public");
    let files = files_under(&public);
    assert!(files.len() >= 3, "{files:?}");
    let mut needles: Vec<(String, Vec<u8>)> = IDS
        .iter()
        .map(|id| (format!("account id {id}"), id.as_bytes().to_vec()))
        .collect();
    for salt in salts(&p.bundle) {
        needles.push((format!("salt {salt}"), salt.into_bytes()));
    }
    let secret = secret(&p.bundle);
    needles.push(("the secret (hex)".into(), to_hex(&secret).into_bytes()));
    needles.push(("the secret (bytes)".into(), secret));
    for (text, decimals) in VALUES {
        for form in forms(text, decimals) {
            needles.push((format!("value {text} as {form:?}"), form));
        }
    }
    for file in &files {
        let bytes = fs::read(file).expect("read a public file");
        let lower = bytes.to_ascii_lowercase();
        for (what, needle) in &needles {
            assert!(
                !contains(&bytes, needle) && !contains(&lower, &needle.to_ascii_lowercase()),
                "{} contains {what}",
                file.display()
            );
        }
    }

    // The scan finds what is there: every id, salt and value (as written) is in private/.
    let private = fs::read(p.bundle.join("private").join("accounts.json")).expect("read");
    for (what, needle) in needles.iter().filter(|(w, _)| !w.contains(" as ")) {
        let found = what.starts_with("the secret") || contains(&private, needle);
        assert!(found, "private/accounts.json lacks {what}");
    }
    for (text, _) in VALUES {
        assert!(contains(&private, text.as_bytes()), "{text}");
    }
    assert_eq!(
        read_json(&public.join("manifest.json"))["batch_count"],
        Value::from(2)
    );
}
