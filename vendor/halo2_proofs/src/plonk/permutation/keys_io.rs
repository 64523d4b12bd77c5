//! Serialization of the permutation argument's keys (an addition to upstream halo2_proofs 0.4.1,
//! see `PATCHES.md` and `plonk::keys_io`).

use std::io;

use super::{Argument, ProvingKey, VerifyingKey};
use crate::{
    arithmetic::CurveAffine,
    plonk::keys_io::{read_points, read_polys, write_points, write_polys},
    poly::EvaluationDomain,
};

impl<C: CurveAffine> VerifyingKey<C> {
    /// Writes the commitments (a count, then the points).
    pub(crate) fn write<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        write_points(writer, &self.commitments)
    }

    /// Reads one commitment per column of `argument`.
    pub(crate) fn read<R: io::Read>(reader: &mut R, argument: &Argument) -> io::Result<Self> {
        let commitments = read_points(reader, argument.columns.len(), "permutation commitments")?;
        Ok(VerifyingKey { commitments })
    }
}

impl<C: CurveAffine> ProvingKey<C> {
    /// Writes the permutation polynomials in Lagrange, coefficient and extended coset form.
    pub(crate) fn write<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        write_polys(writer, &self.permutations)?;
        write_polys(writer, &self.polys)?;
        write_polys(writer, &self.cosets)
    }

    /// Reads one polynomial of each form per column of `argument`, each of the length `domain`
    /// gives it.
    pub(crate) fn read<R: io::Read>(
        reader: &mut R,
        domain: &EvaluationDomain<C::Scalar>,
        argument: &Argument,
        scratch: &mut Vec<u8>,
    ) -> io::Result<Self> {
        let columns = argument.columns.len();
        let permutations = read_polys(
            reader,
            columns,
            || domain.empty_lagrange(),
            "permutation polynomials (Lagrange)",
            scratch,
        )?;
        let polys = read_polys(
            reader,
            columns,
            || domain.empty_coeff(),
            "permutation polynomials (coefficients)",
            scratch,
        )?;
        let cosets = read_polys(
            reader,
            columns,
            || domain.empty_extended(),
            "permutation polynomials (extended cosets)",
            scratch,
        )?;
        Ok(ProvingKey {
            permutations,
            polys,
            cosets,
        })
    }
}
