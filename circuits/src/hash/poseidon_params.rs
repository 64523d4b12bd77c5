//! Poseidon parameters derived for a width, not copied: round numbers from the security bounds of
//! the Poseidon paper (Grassi et al., USENIX Security 2021, §5.5 and the 2023 Gröbner-basis
//! bound), round constants and the MDS matrix from the standard Grain LFSR procedure
//! (`halo2_poseidon::generate_constants`, the procedure behind Zcash's `P128Pow5T3`), and an MDS
//! matrix checked against infinitely long subspace trails.
//!
//! The width-9 (rate-8) instance [`P128Pow5T9`] hashes the leaves and the totals commitments
//! (layout version 5): a leaf of a key and 6 slot words is one permutation instead of four. The
//! anchors:
//! the same derivation gives `(R_F, R_P) = (8, 56)` at width 3, exactly `P128Pow5T3`'s, and its
//! Grain constants at width 3 are `P128Pow5T3`'s bit for bit (`tests`).
//!
//! **Round numbers** ([`round_numbers`]), for `x^5` over a field of `n = 255` bits
//! (`log2 p ≈ 254`), security `M = 128` bits, width `t`: the cheapest `(R_F, R_P)` (cost `t·R_F +
//! R_P` S-boxes, `R_F` even) with
//! - statistical: `R_F ≥ 6` when `M ≤ (⌊log2 p⌋ − log2(α − 1))·(t + 1)`, else 10;
//! - interpolation: `R_F + R_P ≥ 1 + ⌈log_α(2)·min(M, n)⌉ + ⌈log_α t⌉`;
//! - Gröbner 1: `R_F + R_P ≥ log_α(2)·min(M, log2 p)`;
//! - Gröbner 2: `R_F + R_P ≥ t − 1 + log_α(2)·min(M/(t + 1), log2(p)/2)`;
//! - Gröbner 3: `(t − 1)·R_F + R_P ≥ t − 2 + M/(2·log2 α)`;
//! - Gröbner 4 (eprint 2023/537): `2·log2 C(v, u) ≥ M` with `r = ⌊t/3⌋`,
//!   `v = (R_F − 1)·t + 2·R_P + r + r·R_F/2 + α` and `u = r·R_F/2 + R_P + α`;
//!
//! then the paper's security margin: `R_F + 2` and `⌈1.075·R_P⌉`. Width 9 gives `(8, 57)` (the
//! figure other 255-bit instances publish for `t = 9`); the halo2 `Pow5Chip` takes partial rounds
//! two per row, so [`P128Pow5T9`] rounds `R_P` up to the next even number, 58 (more rounds than the
//! bound asks; the Grain stream is seeded with 58).
//!
//! **MDS** ([`mds_has_no_subspace_trail`]): the sufficient condition of Grassi, Rechberger and
//! Schofnegger (eprint 2020/500) that the characteristic polynomials of `M, M², …, M^(2t)` are all
//! irreducible (so every minimal polynomial is irreducible of full degree): then no subspace is
//! invariant under any power of `M` up to `2t`, and no infinitely long subspace trail exists. Each
//! polynomial is tested with Rabin's test over `F_p`. Zcash's width-3 matrix meets it; at width 9
//! the first Grain matrix that does is the 20th ([`WIDTH_9_SECURE_MDS`]). This condition is
//! sufficient, not necessary: the reference's Algorithms 1–3 might also accept an earlier one.

use ff::{Field, PrimeField};
use halo2_gadgets::poseidon::primitives::{generate_constants, Mds, Spec};

use crate::field::Fp;

/// Security level in bits.
pub const SECURITY_BITS: f64 = 128.0;
/// The S-box exponent.
pub const ALPHA: u64 = 5;
/// `n = ⌈log2 p⌉` for the Pallas base field.
const FIELD_BITS: f64 = 255.0;
/// `log2 p`: `p = 2^254 + δ` with `δ < 2^127`, so `log2 p = 254` to within `2^-126`.
const LOG2_P: f64 = 254.0;

/// Full and partial rounds of a Poseidon instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundNumbers {
    /// `R_F`, even.
    pub full: usize,
    /// `R_P`.
    pub partial: usize,
}

fn log_alpha(x: f64) -> f64 {
    x.ln() / (ALPHA as f64).ln()
}

/// `log2` of the binomial coefficient `C(n, k)`.
fn log2_binomial(n: f64, k: f64) -> f64 {
    let (n, k) = (n.floor() as u64, k.floor() as u64);
    if k > n {
        return f64::NEG_INFINITY;
    }
    let k = k.min(n - k);
    (1..=k)
        .map(|i| ((n - k + i) as f64 / i as f64).log2())
        .sum()
}

/// Whether `(full, partial)` rounds meet every bound of the module documentation at width `t`
/// (before the security margin).
pub fn meets_bounds(t: usize, full: usize, partial: usize) -> bool {
    let (tf, rf, rp, m, a) = (
        t as f64,
        full as f64,
        partial as f64,
        SECURITY_BITS,
        ALPHA as f64,
    );
    let statistical = if m <= (LOG2_P.floor() - (a - 1.0).log2()) * (tf + 1.0) {
        6.0
    } else {
        10.0
    };
    let interpolation =
        1.0 + (log_alpha(2.0) * m.min(FIELD_BITS)).ceil() + log_alpha(tf).ceil() - rp;
    let groebner_1 = log_alpha(2.0) * m.min(LOG2_P) - rp;
    let groebner_2 = tf - 1.0 + log_alpha(2.0) * (m / (tf + 1.0)).min(LOG2_P / 2.0) - rp;
    let groebner_3 = (tf - 2.0 + m / (2.0 * a.log2()) - rp) / (tf - 1.0);
    let needed = [
        statistical,
        interpolation,
        groebner_1,
        groebner_2,
        groebner_3,
    ]
    .into_iter()
    .map(f64::ceil)
    .fold(f64::NEG_INFINITY, f64::max);
    let r = (tf / 3.0).floor();
    let over = (rf - 1.0) * tf + rp + r + r * (rf / 2.0) + rp + a;
    let under = r * (rf / 2.0) + rp + a;
    let groebner_4 = (2.0 * log2_binomial(over, under)).ceil() >= m;
    rf >= needed && groebner_4
}

/// The round numbers for width `t`: the cheapest that meet the bounds, with the security margin.
pub fn round_numbers(t: usize) -> RoundNumbers {
    let mut best: Option<(usize, RoundNumbers)> = None;
    for partial in 1..500 {
        let Some(full) = (4..100).step_by(2).find(|&f| meets_bounds(t, f, partial)) else {
            continue;
        };
        let rounds = RoundNumbers {
            full: full + 2,
            partial: (partial as f64 * 1.075).ceil() as usize,
        };
        let cost = rounds.full * t + rounds.partial;
        if best
            .as_ref()
            .is_none_or(|(c, r)| cost < *c || (cost == *c && rounds.full < r.full))
        {
            best = Some((cost, rounds));
        }
    }
    best.map(|(_, r)| r).unwrap_or(RoundNumbers {
        full: 8,
        partial: 500,
    })
}

// ---------------------------------------------------------------------------------------------
// Polynomials over F_p (coefficients from the constant term up) and the MDS check
// ---------------------------------------------------------------------------------------------

fn trim(mut a: Vec<Fp>) -> Vec<Fp> {
    while a.last().is_some_and(|c| bool::from(c.is_zero())) {
        a.pop();
    }
    a
}

/// `a mod f` (`f` monic or not, non-zero).
fn rem(a: &[Fp], f: &[Fp]) -> Vec<Fp> {
    let f = trim(f.to_vec());
    let mut a = trim(a.to_vec());
    let lead_inv = f
        .last()
        .and_then(|c| Option::from(c.invert()))
        .unwrap_or(Fp::ONE);
    while a.len() >= f.len() && !a.is_empty() {
        let shift = a.len() - f.len();
        let q = *a.last().unwrap_or(&Fp::ZERO) * lead_inv;
        for (i, c) in f.iter().enumerate() {
            a[shift + i] -= q * c;
        }
        a = trim(a);
    }
    a
}

fn mul_mod(a: &[Fp], b: &[Fp], f: &[Fp]) -> Vec<Fp> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Fp::ZERO; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    rem(&out, f)
}

/// `g^p mod f`.
fn frobenius(g: &[Fp], f: &[Fp]) -> Vec<Fp> {
    // p = (p − 1) + 1, with p − 1 read from −1's representation (little-endian bytes).
    let p_minus_1 = (-Fp::ONE).to_repr();
    let mut result = vec![Fp::ONE];
    for byte in p_minus_1.as_ref().iter().rev() {
        for bit in (0..8).rev() {
            result = mul_mod(&result, &result, f);
            if (byte >> bit) & 1 == 1 {
                result = mul_mod(&result, g, f);
            }
        }
    }
    mul_mod(&result, g, f)
}

fn gcd(a: &[Fp], b: &[Fp]) -> Vec<Fp> {
    let (mut a, mut b) = (trim(a.to_vec()), trim(b.to_vec()));
    while !b.is_empty() {
        let r = rem(&a, &b);
        a = b;
        b = r;
    }
    a
}

fn prime_factors(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            out.push(d);
            while n.is_multiple_of(d) {
                n /= d;
            }
        }
        d += 1;
    }
    if n > 1 {
        out.push(n);
    }
    out
}

/// Rabin's test: `f` of degree `n` is irreducible over `F_p` iff `x^(p^n) ≡ x (mod f)` and
/// `gcd(x^(p^(n/q)) − x, f) = 1` for every prime `q | n`.
pub fn is_irreducible(f: &[Fp]) -> bool {
    let f = trim(f.to_vec());
    let n = match f.len() {
        0 | 1 => return false,
        len => len - 1,
    };
    let x = rem(&[Fp::ZERO, Fp::ONE], &f);
    // powers[k] = x^(p^k) mod f.
    let mut powers = vec![x.clone()];
    for k in 1..=n {
        let next = frobenius(&powers[k - 1], &f);
        powers.push(next);
    }
    // g − (x mod f).
    let minus_x = |g: &[Fp]| {
        let mut g = g.to_vec();
        g.resize(g.len().max(x.len()), Fp::ZERO);
        for (c, d) in g.iter_mut().zip(&x) {
            *c -= d;
        }
        trim(g)
    };
    if !minus_x(&powers[n]).is_empty() {
        return false;
    }
    prime_factors(n).into_iter().all(|q| {
        let g = gcd(&minus_x(&powers[n / q]), &f);
        g.len() == 1
    })
}

fn mat_mul<const T: usize>(a: &Mds<Fp, T>, b: &Mds<Fp, T>) -> Mds<Fp, T> {
    let mut out = [[Fp::ZERO; T]; T];
    for i in 0..T {
        for j in 0..T {
            out[i][j] = (0..T).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// The characteristic polynomial `det(λI − A)` (Faddeev–LeVerrier; divisions by `k ≤ T` only).
pub fn characteristic_polynomial<const T: usize>(a: &Mds<Fp, T>) -> Vec<Fp> {
    let mut coeffs = vec![Fp::ZERO; T + 1];
    coeffs[T] = Fp::ONE;
    let mut m = [[Fp::ZERO; T]; T];
    for k in 1..=T {
        // M_k = A·M_{k−1} + c_{T−k+1}·I; c_{T−k} = −tr(A·M_k)/k.
        let mut next = mat_mul(a, &m);
        for (i, row) in next.iter_mut().enumerate() {
            row[i] += coeffs[T - k + 1];
        }
        m = next;
        let am = mat_mul(a, &m);
        let trace: Fp = (0..T).map(|i| am[i][i]).sum();
        let k_inv = Option::from(Fp::from(k as u64).invert()).unwrap_or(Fp::ZERO);
        coeffs[T - k] = -trace * k_inv;
    }
    coeffs
}

/// The sufficient condition against infinitely long subspace trails: the characteristic
/// polynomial of `M^i` is irreducible for every `i` in `1..=2T`.
pub fn mds_has_no_subspace_trail<const T: usize>(mds: &Mds<Fp, T>) -> bool {
    let mut power = *mds;
    for i in 1..=2 * T {
        if i > 1 {
            power = mat_mul(&power, mds);
        }
        if !is_irreducible(&characteristic_polynomial(&power)) {
            return false;
        }
    }
    true
}

/// Index of the first Grain MDS matrix at width 9 that meets [`mds_has_no_subspace_trail`]
/// (the earlier ones are skipped, as `Spec::secure_mds` provides for).
pub const WIDTH_9_SECURE_MDS: usize = 19;

/// The width-9, rate-8 instance of the leaves and totals commitments: `R_F = 8`, `R_P = 58`,
/// `x^5`, Grain constants, the 20th Grain MDS matrix. Its constants are
/// `DerivedSpec<9, 8, WIDTH_9_SECURE_MDS>`'s, stored in [`crate::hash::p128pow5t9`] (the Grain
/// stream takes about 40 ms, which a user's inclusion check would otherwise pay at every start);
/// `tests::the_stored_width_9_constants_are_the_grain_ones` regenerates and compares them.
#[derive(Debug, Clone, Copy)]
pub struct P128Pow5T9;

type Width9Constants = (Vec<[Fp; 9]>, Mds<Fp, 9>, Mds<Fp, 9>);

/// `R_F` of [`P128Pow5T9`]: [`round_numbers`]`(9).full`, stored (the search over the bounds
/// takes about a millisecond, which a user's inclusion check would pay at every start).
pub const WIDTH_9_FULL_ROUNDS: usize = 8;
/// `R_P` of [`P128Pow5T9`]: [`round_numbers`]`(9).partial` rounded up to even, stored.
pub const WIDTH_9_PARTIAL_ROUNDS: usize = 58;

impl Spec<Fp, 9, 8> for P128Pow5T9 {
    fn full_rounds() -> usize {
        WIDTH_9_FULL_ROUNDS
    }
    fn partial_rounds() -> usize {
        WIDTH_9_PARTIAL_ROUNDS
    }
    fn sbox(val: Fp) -> Fp {
        val.pow_vartime([ALPHA])
    }
    fn secure_mds() -> usize {
        WIDTH_9_SECURE_MDS
    }
    fn constants() -> Width9Constants {
        use crate::hash::p128pow5t9::{MDS, MDS_INV, ROUND_CONSTANTS};
        (ROUND_CONSTANTS.to_vec(), MDS, MDS_INV)
    }
}

/// A Poseidon specification with derived round numbers and the `SKIP`-th Grain MDS matrix.
#[derive(Debug, Clone, Copy)]
pub struct DerivedSpec<const T: usize, const RATE: usize, const SKIP: usize>;

impl<const T: usize, const RATE: usize, const SKIP: usize> Spec<Fp, T, RATE>
    for DerivedSpec<T, RATE, SKIP>
{
    fn full_rounds() -> usize {
        round_numbers(T).full
    }
    fn partial_rounds() -> usize {
        // Pow5Chip takes partial rounds in pairs.
        round_numbers(T).partial.next_multiple_of(2)
    }
    fn sbox(val: Fp) -> Fp {
        val.pow_vartime([ALPHA])
    }
    fn secure_mds() -> usize {
        SKIP
    }
    fn constants() -> (Vec<[Fp; T]>, Mds<Fp, T>, Mds<Fp, T>) {
        generate_constants::<Fp, Self, T, RATE>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_gadgets::poseidon::primitives::P128Pow5T3;

    #[test]
    fn the_derivation_reproduces_p128pow5t3() {
        assert_eq!(
            round_numbers(3),
            RoundNumbers {
                full: 8,
                partial: 56
            }
        );
        let (rc, mds, mds_inv) = DerivedSpec::<3, 2, 0>::constants();
        let (rc0, mds0, mds_inv0) = <P128Pow5T3 as Spec<Fp, 3, 2>>::constants();
        assert_eq!((rc, mds, mds_inv), (rc0, mds0, mds_inv0));
        assert!(mds_has_no_subspace_trail(&mds0));
    }

    #[test]
    fn width_nine_rounds_and_mds() {
        assert_eq!(
            round_numbers(9),
            RoundNumbers {
                full: 8,
                partial: 57
            }
        );
        assert_eq!(
            <DerivedSpec<9, 8, 0> as Spec<Fp, 9, 8>>::partial_rounds(),
            58
        );
        assert_eq!(
            <P128Pow5T9 as Spec<Fp, 9, 8>>::partial_rounds(),
            58,
            "Pow5Chip needs an even R_P"
        );
        // The first Grain matrix that meets the condition is the 20th (index 19): the first 19 each
        // have a power whose characteristic polynomial factors (about 8 in 9 random 9×9 matrices
        // fail, so this is not unusual).
        macro_rules! first_secure {
            ($($k:literal)*) => {{
                let mut found = None;
                $(
                    if found.is_none()
                        && mds_has_no_subspace_trail(&DerivedSpec::<9, 8, $k>::constants().1)
                    {
                        found = Some($k);
                    }
                )*
                found
            }};
        }
        assert_eq!(
            first_secure!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19),
            Some(WIDTH_9_SECURE_MDS)
        );
        assert_eq!(
            P128Pow5T9::constants(),
            DerivedSpec::<9, 8, WIDTH_9_SECURE_MDS>::constants()
        );
        assert_eq!(
            (P128Pow5T9::full_rounds(), P128Pow5T9::partial_rounds()),
            (
                <DerivedSpec<9, 8, WIDTH_9_SECURE_MDS> as Spec<Fp, 9, 8>>::full_rounds(),
                <DerivedSpec<9, 8, WIDTH_9_SECURE_MDS> as Spec<Fp, 9, 8>>::partial_rounds()
            )
        );
        let (rc, mds, mds_inv) = P128Pow5T9::constants();
        assert_eq!(rc.len(), 8 + 58);
        assert!(mds_has_no_subspace_trail(&mds));
        let identity = mat_mul(&mds, &mds_inv);
        for (i, row) in identity.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                assert_eq!(*c, if i == j { Fp::ONE } else { Fp::ZERO });
            }
        }
    }

    /// The stored constants are the Grain procedure's. With `MARGINPROOF_UPDATE_PINS` set, writes
    /// them to `src/hash/p128pow5t9.rs` first.
    #[test]
    fn the_stored_width_9_constants_are_the_grain_ones() {
        let derived = DerivedSpec::<9, 8, WIDTH_9_SECURE_MDS>::constants();
        if std::env::var_os("MARGINPROOF_UPDATE_PINS").is_some() {
            let file =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/hash/p128pow5t9.rs");
            std::fs::write(file, stored_constants_source(&derived)).expect("write the constants");
        }
        assert_eq!(P128Pow5T9::constants(), derived);
    }

    fn stored_constants_source(c: &Width9Constants) -> String {
        use std::fmt::Write;
        let element = |out: &mut String, x: &Fp, indent: &str| {
            let repr = x.to_repr();
            let limbs: Vec<String> = repr
                .chunks(8)
                .map(|b| {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(b);
                    format!("0x{:016x}", u64::from_le_bytes(w))
                })
                .collect();
            let _ = writeln!(out, "{indent}Fp::from_raw([");
            for limb in limbs {
                let _ = writeln!(out, "{indent}    {limb},");
            }
            let _ = writeln!(out, "{indent}]),");
        };
        let mut out = String::from(
            "//! The constants of `P128Pow5T9` (width 9, rate 8, `R_F = 8`, `R_P = 58`), generated by the\n\
             //! Grain procedure (`DerivedSpec<9, 8, 19>`, see `poseidon_params`) and stored so that no\n\
             //! process pays for the Grain stream. Written by `MARGINPROOF_UPDATE_PINS=1 cargo test -p\n\
             //! marginproof-circuits the_stored_width_9_constants`; that test checks them. Do not edit.\n\n\
             use crate::field::Fp;\n\n",
        );
        let _ = writeln!(out, "/// Round constants, one row per round.");
        let _ = writeln!(
            out,
            "pub static ROUND_CONSTANTS: [[Fp; 9]; {}] = [",
            c.0.len()
        );
        for row in &c.0 {
            out.push_str("    [\n");
            for x in row {
                element(&mut out, x, "        ");
            }
            out.push_str("    ],\n");
        }
        out.push_str("];\n");
        for (name, doc, m) in [
            ("MDS", "The MDS matrix.", &c.1),
            ("MDS_INV", "Its inverse.", &c.2),
        ] {
            let _ = writeln!(out, "\n/// {doc}\npub const {name}: [[Fp; 9]; 9] = [");
            for row in m {
                out.push_str("    [\n");
                for x in row {
                    element(&mut out, x, "        ");
                }
                out.push_str("    ],\n");
            }
            out.push_str("];\n");
        }
        out
    }

    #[test]
    fn characteristic_polynomials_are_right() {
        let (a, b, c, d) = (Fp::from(3), Fp::from(5), Fp::from(7), Fp::from(11));
        // λ² − (a + d)λ + (ad − bc).
        assert_eq!(
            characteristic_polynomial(&[[a, b], [c, d]]),
            vec![a * d - b * c, -(a + d), Fp::ONE]
        );
    }

    #[test]
    fn irreducibility_is_told_apart() {
        // (x − 1)(x − 2) and x² + 1 (−1 is a square: p ≡ 1 mod 4) are reducible.
        let one = Fp::ONE;
        let two = Fp::from(2);
        assert!(!is_irreducible(&[two, -(one + two), one]));
        assert!(!is_irreducible(&[one, Fp::ZERO, one]));
        // x is irreducible (degree 1); x² − 5 too (5, the multiplicative generator, is not a
        // square); (x² − 5)·x is not.
        assert!(is_irreducible(&[Fp::ZERO, one]));
        let five = Fp::from(5);
        assert!(is_irreducible(&[-five, Fp::ZERO, one]));
        assert!(!is_irreducible(&[Fp::ZERO, -five, Fp::ZERO, one]));
    }
}
