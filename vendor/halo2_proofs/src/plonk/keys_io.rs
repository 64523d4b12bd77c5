//! Serialization of [`VerifyingKey`] and [`ProvingKey`] (an addition to upstream halo2_proofs
//! 0.4.1, see `PATCHES.md`).
//!
//! Reading a key never runs key generation: no commitment, multiexponentiation or FFT. The
//! constraint system is rebuilt as `keygen_vk` builds it (`Circuit::configure`, then selector
//! compression), from the selector activations stored in the key file, and the verifying key's
//! transcript representation (a hash of the whole key: domain, constraint system, fixed and
//! permutation commitments) is recomputed and compared with the stored one. Every count and
//! length is checked against the constraint system and the domain before anything is allocated,
//! every field element must be canonical and every point a valid encoding; malformed input is an
//! [`io::ErrorKind::InvalidData`] (or [`io::ErrorKind::UnexpectedEof`]) error, never a panic.
//!
//! Format (little-endian integers; field elements as `PrimeField::to_repr`, points as
//! `GroupEncoding::to_bytes`):
//!
//! ```text
//! verifying key: "HALO2VK" 0x01 | k: u32
//!                | selectors: u32 count, then per selector ceil(2^k / 8) bytes of activations
//!                  (row i is bit i % 8 of byte i / 8; unused high bits zero)
//!                | fixed commitments: u32 count, points
//!                | permutation commitments: u32 count, points
//!                | transcript representation: one field element
//! proving key:   "HALO2PK" 0x01 | verifying key (as above)
//!                | l0, l_blind, l_last: one polynomial each
//!                | fixed values, fixed polynomials, fixed cosets: u32 count, polynomials
//!                | permutation: permutations, polynomials, cosets: u32 count, polynomials
//! polynomial:    u32 length, field elements
//! ```

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use ff::{FromUniformBytes, PrimeField};

use super::{
    circuit::{
        Advice, Any, Assignment, Circuit, Column, ConstraintSystem, Fixed, FloorPlanner, Instance,
        Selector,
    },
    permutation, Assigned, Error, ProvingKey, VerifyingKey,
};
use crate::{
    arithmetic::{parallelize, CurveAffine},
    circuit::Value,
    poly::{commitment::Params, EvaluationDomain, Polynomial},
};

const VK_MAGIC: &[u8; 8] = b"HALO2VK\x01";
const PK_MAGIC: &[u8; 8] = b"HALO2PK\x01";

pub(crate) fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

pub(crate) fn write_u32<W: io::Write>(writer: &mut W, value: usize) -> io::Result<()> {
    let value = u32::try_from(value).map_err(|_| invalid("count does not fit in 32 bits"))?;
    writer.write_all(&value.to_le_bytes())
}

pub(crate) fn read_u32<R: io::Read>(reader: &mut R) -> io::Result<u32> {
    let mut bytes = [0u8; 4];
    reader.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

/// Reads a count and checks that it is `expected`.
pub(crate) fn read_count<R: io::Read>(
    reader: &mut R,
    expected: usize,
    what: &str,
) -> io::Result<()> {
    let found = read_u32(reader)?;
    if found as usize != expected {
        return Err(invalid(format!(
            "{what}: {found} in the key file, the constraint system has {expected}"
        )));
    }
    Ok(())
}

pub(crate) fn write_points<C: CurveAffine, W: io::Write>(
    writer: &mut W,
    points: &[C],
) -> io::Result<()> {
    write_u32(writer, points.len())?;
    for point in points {
        writer.write_all(point.to_bytes().as_ref())?;
    }
    Ok(())
}

/// Reads exactly `expected` points (the count is checked first).
pub(crate) fn read_points<C: CurveAffine, R: io::Read>(
    reader: &mut R,
    expected: usize,
    what: &str,
) -> io::Result<Vec<C>> {
    read_count(reader, expected, what)?;
    let mut points = Vec::with_capacity(expected);
    for _ in 0..expected {
        let mut encoding = C::Repr::default();
        reader.read_exact(encoding.as_mut())?;
        let point = Option::<C>::from(C::from_bytes(&encoding))
            .ok_or_else(|| invalid(format!("{what}: invalid point encoding")))?;
        points.push(point);
    }
    Ok(points)
}

fn write_scalar<F: PrimeField, W: io::Write>(writer: &mut W, value: &F) -> io::Result<()> {
    writer.write_all(value.to_repr().as_ref())
}

fn read_scalar<F: PrimeField, R: io::Read>(reader: &mut R, what: &str) -> io::Result<F> {
    let mut repr = F::Repr::default();
    reader.read_exact(repr.as_mut())?;
    Option::from(F::from_repr(repr))
        .ok_or_else(|| invalid(format!("{what}: non-canonical field element")))
}

pub(crate) fn write_poly<F: PrimeField, B, W: io::Write>(
    writer: &mut W,
    poly: &Polynomial<F, B>,
) -> io::Result<()> {
    write_u32(writer, poly.len())?;
    // Encode in parallel, write in one piece.
    let values: &[F] = poly;
    let mut reprs = vec![F::Repr::default(); values.len()];
    parallelize(&mut reprs, |chunk, start| {
        for (i, repr) in chunk.iter_mut().enumerate() {
            *repr = values[start + i].to_repr();
        }
    });
    let bytes: Vec<u8> = reprs
        .iter()
        .flat_map(|repr| repr.as_ref().iter().copied())
        .collect();
    writer.write_all(&bytes)
}

/// Reads a polynomial into `poly`, whose length is the one expected (checked against the stored
/// length before reading the values). `scratch` holds the bytes (reused from one polynomial to the
/// next: a fresh buffer each time costs as many page faults as the key itself).
pub(crate) fn read_poly_into<F: PrimeField, B, R: io::Read>(
    reader: &mut R,
    poly: &mut Polynomial<F, B>,
    what: &str,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    let len = read_u32(reader)? as usize;
    if len != poly.len() {
        return Err(invalid(format!(
            "{what}: polynomial of {len} values in the key file, the domain needs {}",
            poly.len()
        )));
    }
    let width = F::Repr::default().as_ref().len();
    scratch.resize(len * width, 0);
    reader.read_exact(&mut scratch[..])?;
    let bytes = &scratch[..];
    let bad = AtomicBool::new(false);
    let values: &mut [F] = poly;
    parallelize(values, |chunk, start| {
        for (i, value) in chunk.iter_mut().enumerate() {
            let offset = (start + i) * width;
            let mut repr = F::Repr::default();
            repr.as_mut()
                .copy_from_slice(&bytes[offset..offset + width]);
            match Option::<F>::from(F::from_repr(repr)) {
                Some(v) => *value = v,
                None => bad.store(true, Ordering::Relaxed),
            }
        }
    });
    if bad.load(Ordering::Relaxed) {
        return Err(invalid(format!("{what}: non-canonical field element")));
    }
    Ok(())
}

/// Reads `count` polynomials made by `empty` (the count is checked first).
pub(crate) fn read_polys<F: PrimeField, B, R: io::Read>(
    reader: &mut R,
    count: usize,
    empty: impl Fn() -> Polynomial<F, B>,
    what: &str,
    scratch: &mut Vec<u8>,
) -> io::Result<Vec<Polynomial<F, B>>> {
    read_count(reader, count, what)?;
    let mut polys = Vec::with_capacity(count);
    for _ in 0..count {
        let mut poly = empty();
        read_poly_into(reader, &mut poly, what, scratch)?;
        polys.push(poly);
    }
    Ok(polys)
}

pub(crate) fn write_polys<F: PrimeField, B, W: io::Write>(
    writer: &mut W,
    polys: &[Polynomial<F, B>],
) -> io::Result<()> {
    write_u32(writer, polys.len())?;
    for poly in polys {
        write_poly(writer, poly)?;
    }
    Ok(())
}

fn read_magic<R: io::Read>(reader: &mut R, magic: &[u8; 8], what: &str) -> io::Result<()> {
    let mut found = [0u8; 8];
    reader.read_exact(&mut found)?;
    if &found != magic {
        return Err(invalid(format!("not a {what} file of this format")));
    }
    Ok(())
}

/// Synthesis that records only which selectors are enabled on which rows, with the row checks of
/// key generation's assembly (so it fails exactly when key generation would).
struct SelectorAssembly {
    k: u32,
    selectors: Vec<Vec<bool>>,
    usable_rows: std::ops::Range<usize>,
}

impl SelectorAssembly {
    fn check_row(&self, row: usize) -> Result<(), Error> {
        if self.usable_rows.contains(&row) {
            Ok(())
        } else {
            Err(Error::not_enough_rows_available(self.k))
        }
    }
}

impl<F: ff::Field> Assignment<F> for SelectorAssembly {
    fn enter_region<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn exit_region(&mut self) {}

    fn enable_selector<A, AR>(&mut self, _: A, selector: &Selector, row: usize) -> Result<(), Error>
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.check_row(row)?;
        *self
            .selectors
            .get_mut(selector.0)
            .and_then(|s| s.get_mut(row))
            .ok_or(Error::BoundsFailure)? = true;
        Ok(())
    }

    fn query_instance(&self, _: Column<Instance>, row: usize) -> Result<Value<F>, Error> {
        self.check_row(row)?;
        Ok(Value::unknown())
    }

    fn assign_advice<V, VR, A, AR>(
        &mut self,
        _: A,
        _: Column<Advice>,
        _: usize,
        _: V,
    ) -> Result<(), Error>
    where
        V: FnOnce() -> Value<VR>,
        VR: Into<Assigned<F>>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        Ok(())
    }

    fn assign_fixed<V, VR, A, AR>(
        &mut self,
        _: A,
        _: Column<Fixed>,
        row: usize,
        _: V,
    ) -> Result<(), Error>
    where
        V: FnOnce() -> Value<VR>,
        VR: Into<Assigned<F>>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.check_row(row)
    }

    fn copy(
        &mut self,
        _: Column<Any>,
        left_row: usize,
        _: Column<Any>,
        right_row: usize,
    ) -> Result<(), Error> {
        self.check_row(left_row)?;
        self.check_row(right_row)
    }

    fn fill_from_row(
        &mut self,
        _: Column<Fixed>,
        from_row: usize,
        _: Value<Assigned<F>>,
    ) -> Result<(), Error> {
        self.check_row(from_row)
    }

    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn pop_namespace(&mut self, _: Option<String>) {}
}

/// The selector activations of `circuit` (synthesized without witnesses), as key generation
/// computes them.
fn selector_activations<C, ConcreteCircuit>(
    params: &Params<C>,
    circuit: &ConcreteCircuit,
) -> Result<Vec<Vec<bool>>, Error>
where
    C: CurveAffine,
    ConcreteCircuit: Circuit<C::Scalar>,
{
    let mut cs = ConstraintSystem::default();
    let config = ConcreteCircuit::configure(&mut cs);
    let n = params.n as usize;
    if n < cs.minimum_rows() {
        return Err(Error::not_enough_rows_available(params.k));
    }
    let mut assembly = SelectorAssembly {
        k: params.k,
        selectors: vec![vec![false; n]; cs.num_selectors],
        usable_rows: 0..n - (cs.blinding_factors() + 1),
    };
    ConcreteCircuit::FloorPlanner::synthesize(
        &mut assembly,
        &circuit.without_witnesses(),
        config,
        cs.constants.clone(),
    )?;
    Ok(assembly.selectors)
}

fn to_io(stage: &str) -> impl Fn(Error) -> io::Error + '_ {
    move |e| invalid(format!("{stage}: {e:?}"))
}

impl<C: CurveAffine> VerifyingKey<C>
where
    C::Scalar: FromUniformBytes<64>,
{
    /// Writes this verifying key, which must be the one `keygen_vk` makes for `circuit` under
    /// `params` (the circuit is synthesized without witnesses once more to record its selector
    /// activations, which the key does not keep; no commitment is computed). Returns an error if
    /// `circuit` does not lead to this key's constraint system or `params` to its domain.
    pub fn write<W: io::Write, ConcreteCircuit: Circuit<C::Scalar>>(
        &self,
        writer: &mut W,
        params: &Params<C>,
        circuit: &ConcreteCircuit,
    ) -> io::Result<()> {
        if self.domain.empty_lagrange().len() != params.n as usize {
            return Err(invalid("the key is for parameters of another size"));
        }
        let selectors = selector_activations(params, circuit).map_err(to_io("synthesis"))?;
        // The constraint system these activations lead to must be this key's.
        let mut cs = ConstraintSystem::default();
        let _ = ConcreteCircuit::configure(&mut cs);
        let (cs, _) = cs.compress_selectors(selectors.clone());
        if format!("{:?}", cs.pinned()) != format!("{:?}", self.cs.pinned()) {
            return Err(invalid(
                "the circuit given does not lead to this key's constraint system",
            ));
        }

        writer.write_all(VK_MAGIC)?;
        writer.write_all(&params.k.to_le_bytes())?;
        write_u32(writer, selectors.len())?;
        for activations in &selectors {
            let mut bytes = vec![0u8; activations.len().div_ceil(8)];
            for (row, _) in activations.iter().enumerate().filter(|(_, on)| **on) {
                bytes[row / 8] |= 1 << (row % 8);
            }
            writer.write_all(&bytes)?;
        }
        write_points(writer, &self.fixed_commitments)?;
        self.permutation.write(writer)?;
        write_scalar(writer, &self.transcript_repr)
    }

    /// Reads a verifying key written by [`VerifyingKey::write`] for a circuit of type
    /// `ConcreteCircuit` under `params`. The result is the key `keygen_vk` makes: the constraint
    /// system is rebuilt from `ConcreteCircuit::configure` and the stored selector activations,
    /// and the transcript representation recomputed from it and the stored commitments must equal
    /// the stored one. Any inconsistency is an [`io::ErrorKind::InvalidData`] error.
    pub fn read<R: io::Read, ConcreteCircuit: Circuit<C::Scalar>>(
        reader: &mut R,
        params: &Params<C>,
    ) -> io::Result<Self> {
        read_magic(reader, VK_MAGIC, "verifying key")?;
        let k = read_u32(reader)?;
        if k != params.k {
            return Err(invalid(format!(
                "the key is for k = {k}, the parameters for k = {}",
                params.k
            )));
        }

        // As `keygen_vk`: configure, then the domain from the uncompressed degree.
        let mut cs = ConstraintSystem::default();
        let _ = ConcreteCircuit::configure(&mut cs);
        let n = params.n as usize;
        if n < cs.minimum_rows() {
            return Err(invalid(format!(
                "the circuit needs more than 2^{} rows",
                params.k
            )));
        }
        let domain = EvaluationDomain::new(cs.degree() as u32, params.k);

        read_count(reader, cs.num_selectors, "selectors")?;
        let width = n.div_ceil(8);
        let mut selectors = Vec::with_capacity(cs.num_selectors);
        let mut bytes = vec![0u8; width];
        for _ in 0..cs.num_selectors {
            reader.read_exact(&mut bytes)?;
            if n % 8 != 0 && bytes[width - 1] >> (n % 8) != 0 {
                return Err(invalid("selector activations beyond the last row"));
            }
            selectors.push(
                (0..n)
                    .map(|row| bytes[row / 8] >> (row % 8) & 1 == 1)
                    .collect::<Vec<bool>>(),
            );
        }
        let (cs, _) = cs.compress_selectors(selectors);

        let fixed_commitments = read_points(reader, cs.num_fixed_columns, "fixed commitments")?;
        let permutation = permutation::VerifyingKey::read(reader, &cs.permutation)?;
        let transcript_repr: C::Scalar = read_scalar(reader, "transcript representation")?;

        let vk = Self::from_parts(domain, fixed_commitments, permutation, cs);
        if vk.transcript_repr != transcript_repr {
            return Err(invalid(
                "the key file does not hash to its transcript representation (corrupt, or written for another circuit)",
            ));
        }
        Ok(vk)
    }
}

impl<C: CurveAffine> ProvingKey<C>
where
    C::Scalar: FromUniformBytes<64>,
{
    /// Writes this proving key, which must be the one `keygen_pk` makes for `circuit` under
    /// `params`: its verifying key (see [`VerifyingKey::write`]), then every precomputed
    /// polynomial as raw field elements.
    pub fn write<W: io::Write, ConcreteCircuit: Circuit<C::Scalar>>(
        &self,
        writer: &mut W,
        params: &Params<C>,
        circuit: &ConcreteCircuit,
    ) -> io::Result<()> {
        writer.write_all(PK_MAGIC)?;
        self.vk.write(writer, params, circuit)?;
        write_poly(writer, &self.l0)?;
        write_poly(writer, &self.l_blind)?;
        write_poly(writer, &self.l_last)?;
        write_polys(writer, &self.fixed_values)?;
        write_polys(writer, &self.fixed_polys)?;
        write_polys(writer, &self.fixed_cosets)?;
        self.permutation.write(writer)
    }

    /// Reads a proving key written by [`ProvingKey::write`] for a circuit of type
    /// `ConcreteCircuit` under `params`, checking its verifying key as
    /// [`VerifyingKey::read`] does and every polynomial count and length against the constraint
    /// system and the domain. No key generation work is done: the polynomials are taken as
    /// stored.
    pub fn read<R: io::Read, ConcreteCircuit: Circuit<C::Scalar>>(
        reader: &mut R,
        params: &Params<C>,
    ) -> io::Result<Self> {
        read_magic(reader, PK_MAGIC, "proving key")?;
        let vk = VerifyingKey::<C>::read::<_, ConcreteCircuit>(reader, params)?;
        let domain = &vk.domain;
        let scratch = &mut Vec::new();
        let mut l0 = domain.empty_extended();
        read_poly_into(reader, &mut l0, "l0", scratch)?;
        let mut l_blind = domain.empty_extended();
        read_poly_into(reader, &mut l_blind, "l_blind", scratch)?;
        let mut l_last = domain.empty_extended();
        read_poly_into(reader, &mut l_last, "l_last", scratch)?;
        let fixed = vk.cs.num_fixed_columns;
        let fixed_values = read_polys(
            reader,
            fixed,
            || domain.empty_lagrange(),
            "fixed values",
            scratch,
        )?;
        let fixed_polys = read_polys(
            reader,
            fixed,
            || domain.empty_coeff(),
            "fixed polynomials",
            scratch,
        )?;
        let fixed_cosets = read_polys(
            reader,
            fixed,
            || domain.empty_extended(),
            "fixed cosets",
            scratch,
        )?;
        let permutation =
            permutation::ProvingKey::read(reader, domain, &vk.cs.permutation, scratch)?;
        Ok(ProvingKey {
            vk,
            l0,
            l_blind,
            l_last,
            fixed_values,
            fixed_polys,
            fixed_cosets,
            permutation,
        })
    }
}
