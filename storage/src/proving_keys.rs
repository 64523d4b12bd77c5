//! The proving key cache: `pk-<digest>.bin` next to the verifying key and IPA parameter caches
//! (see [`crate::keys`] for the file names, [`crate::framed`] for the framing and atomic writes).
//!
//! Keys depend on the configuration's shape (not its prices), the slot shape, the batch size and
//! `k`; a proving key is about 1.2 GB at `k = 16`. A venue whose shape, account count or busiest
//! account changes gets new keys, so the cache keeps only the
//! [`KEPT_PROVING_KEYS`] most recently used proving keys (reading one marks it used); older ones are
//! removed when a new one is written. Verifying keys (tens of KB) are kept.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::framed::KeyLoad;
use crate::keys::{key_digest, key_path, load_or_create_key, load_or_create_vk, KeyError};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{keygen_pk, Circuit, ProvingKey};
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::field::Fp;

/// How many proving keys the cache keeps: the one just used and the two before it (a venue that
/// proves daily can re-prove yesterday's snapshot without key generation).
pub const KEPT_PROVING_KEYS: usize = 3;

/// The proving key of `circuit` (its keygen shape) under `ipa`, from the cache in `cache_dir`, or
/// generated and cached. Generating it starts from the cached verifying key when there is one
/// (which saves the commitments), and caches the verifying key too. `identity` tells apart the
/// circuits of type `C` whose keys differ at the same size (for the batch circuit,
/// [`crate::keys::batch_identity`]).
pub fn load_or_create_pk<C: Circuit<Fp>>(
    cache_dir: &Path,
    ipa: &Params<EqAffine>,
    circuit: &C,
    identity: &[u8],
) -> Result<(ProvingKey<EqAffine>, KeyLoad), KeyError> {
    let digest = key_digest::<C>(ipa.k(), identity);
    let path = key_path(cache_dir, "pk", &digest);
    let (pk, load) = load_or_create_key(
        &path,
        &digest,
        &|mut r| ProvingKey::read::<_, C>(&mut r, ipa),
        || {
            let (vk, _) = load_or_create_vk(cache_dir, ipa, circuit, identity)?;
            keygen_pk(ipa, vk, circuit).map_err(|e| KeyError::Keygen {
                stage: "proving key",
                reason: format!("{e:?}"),
            })
        },
        &|pk, mut w| pk.write(&mut w, ipa, circuit),
    )?;
    if load.source.is_cached() {
        // Best effort: a read-only cache still works, it is only pruned less well.
        let _ = fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(SystemTime::now()));
    } else {
        prune_proving_keys(cache_dir, &path, KEPT_PROVING_KEYS);
    }
    Ok((pk, load))
}

/// Removes from `cache_dir` all but the `keep` most recently used proving keys (`pk-*.bin`, by
/// modification time), never `current`, and returns the removed files. Best effort: a file that
/// cannot be listed or removed is left (another process may be removing it too).
pub fn prune_proving_keys(cache_dir: &Path, current: &Path, keep: usize) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(cache_dir) else {
        return Vec::new();
    };
    let mut keys: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("pk-") && name.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .filter(|(_, path)| path != current)
        .collect();
    // Newest first; `current` counts as one of the kept.
    keys.sort_by_key(|(time, _)| std::cmp::Reverse(*time));
    keys.into_iter()
        .skip(keep.saturating_sub(1))
        .filter(|(_, path)| fs::remove_file(path).is_ok())
        .map(|(_, path)| path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_the_most_recently_used_proving_keys_are_kept() {
        let dir = std::env::temp_dir().join(format!("marginproof-prune-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let file = |name: &str, age: u64| {
            let path = dir.join(name);
            fs::write(&path, name).expect("write");
            let f = fs::File::options().write(true).open(&path).expect("open");
            f.set_modified(epoch - Duration::from_secs(age))
                .expect("mtime");
            path
        };
        // `current` is the oldest by time (a cached key whose mtime could not be updated): still
        // kept, and it takes one of the places.
        let current = file("pk-current.bin", 100);
        let newest = file("pk-a.bin", 1);
        let second = file("pk-b.bin", 2);
        let third = file("pk-c.bin", 3);
        let vk = file("vk-a.bin", 50);
        let params = file("ipa-pasta-k11.params", 60);

        let mut removed = prune_proving_keys(&dir, &current, KEPT_PROVING_KEYS);
        removed.sort();
        assert_eq!(removed, vec![third.clone()]);
        for kept in [&current, &newest, &second, &vk, &params] {
            assert!(kept.exists(), "{}", kept.display());
        }
        assert!(!third.exists());
        assert_eq!(
            prune_proving_keys(&dir, &current, 1),
            vec![newest.clone(), second.clone()]
        );
        assert!(current.exists() && vk.exists() && params.exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
