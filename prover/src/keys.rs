//! The proving key cache: `pk-<digest>.bin` next to the verifying key and IPA parameter caches
//! (see `marginproof_verifier::keys` for the file names, framing and atomic writes).

use std::path::Path;

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{keygen_pk, Circuit, ProvingKey};
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::field::Fp;
use marginproof_verifier::keys::{
    key_digest, key_path, load_or_create_key, load_or_create_vk, KeyError, KeyLoad,
};

/// The proving key of `circuit` (its keygen shape) under `ipa`, from the cache in `cache_dir`, or
/// generated and cached. Generating it starts from the cached verifying key when there is one
/// (which saves the commitments), and caches the verifying key too. `identity` tells apart the
/// circuits of type `C` whose keys differ at the same size (for the batch circuit,
/// `marginproof_verifier::keys::batch_identity`).
pub fn load_or_create_pk<C: Circuit<Fp>>(
    cache_dir: &Path,
    ipa: &Params<EqAffine>,
    circuit: &C,
    identity: &[u8],
) -> Result<(ProvingKey<EqAffine>, KeyLoad), KeyError> {
    let digest = key_digest::<C>(ipa.k(), identity);
    load_or_create_key(
        &key_path(cache_dir, "pk", &digest),
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
    )
}
