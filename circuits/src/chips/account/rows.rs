//! The account region's layout, written once: which of the [`ACCOUNT_COLUMNS`] main advice
//! columns holds which field on each kind of row. [`AccountRows::new`] is this table in code;
//! every gate's config takes its typed row from it, so no gate names a column by its position.
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a14 | a15 | a16 | a17..a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | [`IdentityRow`] | id | id⁻¹ | is_real | e₁ | e₁ᵖ | salt | u | | | | t | r | γ | | | | | [`AccumulatorRow`] |
//! | [`AssetRow`] | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | | ae, e, mr, bk |
//! | [`PositionRow`] | m | σ_s | m_s | σ_c | m_c | P | n | F | word | tid | t | r | ρ | empty | inv | gap | U | ae, e, mr, bk |
//! | [`StatusRow`] | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | | | | | | | | | | ae, e, mr, bk |
//! | [`OutcomeRow`] (a status row) | | | | | | | | | w₀ | w₁ | w₂ | r | w₃ | w₄ | | | | |
//! | [`DistributionRow`] | j | AE | MR | z | MR⁻¹ | v | h | v⁻¹ | m | w | r | is_real | | | | | | bk |
//! | [`ShockRow`] | a or m | σ | MR | d | P | c | x | L | Gr | P_in | | | | | | | | |
//! | [`RequirementRow`] | 0 | | | d_f | | φ | | | | | | | | | | | | ae, e, mr, bk |
//!
//! The columns a slot row shares with every other slot row, asset or position ([`SlotRow`]:
//! index, price, value, tiered value, word, table id, pole inverse, `r`, `ρ`, `empty`, its
//! inverse, gap) sit in the same place on both, so the instrument lookup, the `slot order` gate
//! and the tier proofs read one column whatever the slot's kind. The identity row puts its
//! pole inverse, `r` and `γ` in the slot rows' `t`, `r`, `ρ` columns, and the margin bucket its
//! bucket and edge in the slot rows' index and price columns (the instrument lookup reads them).

use halo2_proofs::{
    plonk::{Advice, Column, Expression, Fixed, VirtualCells},
    poly::Rotation,
};

use crate::field::Fp;
use crate::model::stress::OUTCOME_TOTALS;
use crate::model::totals::OutcomeFields;

/// Number of main advice columns the account layout uses.
pub const ACCOUNT_COLUMNS: usize = 21;

/// A column's cell on the current row.
pub(super) fn cur(m: &mut VirtualCells<'_, Fp>, column: Column<Advice>) -> Expression<Fp> {
    m.query_advice(column, Rotation::cur())
}

/// A column's cell on the row above.
pub(super) fn prev(m: &mut VirtualCells<'_, Fp>, column: Column<Advice>) -> Expression<Fp> {
    m.query_advice(column, Rotation::prev())
}

/// The accumulators that run down the region (every identity, slot and status row writes them,
/// slot and status rows read the row above; the two distribution rows write only `bk`, and no
/// gate reads their other accumulator cells).
#[derive(Debug, Clone, Copy)]
pub struct AccumulatorRow<T> {
    /// `ae`: adjusted equity so far (AE, in ν·ppm).
    pub adjusted_equity: T,
    /// `e`: raw equity so far (E, in ν).
    pub equity: T,
    /// `mr`: maintenance requirement so far (MR, in ν·ppm).
    pub requirement: T,
    /// `bk`: the account's bucket term so far.
    pub bucket: T,
}

/// The cells every slot row has, asset or position.
#[derive(Debug, Clone, Copy)]
pub struct SlotRow<T> {
    /// `a` or `m`: the instrument's index.
    pub index: T,
    /// `p` or `P`: its price, from the instrument lookup.
    pub price: T,
    /// `x` (net value `|v_a|`) or `n` (notional): the tiered function's argument.
    pub value: T,
    /// `F`: the tiered function's value.
    pub tiered: T,
    /// The slot's leaf word.
    pub word: T,
    /// `tid`: the tier table id.
    pub tier_table: T,
    /// `t`: the bucket pole's inverse.
    pub bucket_inverse: T,
    /// A copy of the challenge `r`.
    pub r: T,
    /// A copy of the challenge weight `ρ`.
    pub rho: T,
    /// `empty`: the slot holds nothing.
    pub empty: T,
    /// `inv`: the inverse that makes `empty` a function of the slot's holding.
    pub empty_inverse: T,
    /// The index gap to the previous slot of the same kind (`slot order`).
    pub gap: T,
}

/// Row 0 of an account region ([`super::identity`]).
#[derive(Debug, Clone, Copy)]
pub struct IdentityRow<T> {
    /// The account's `id_hash` (0 for padding).
    pub id_hash: T,
    /// Its inverse (0 for padding).
    pub id_inverse: T,
    /// `[id ≠ 0]`: the account's term of the `accounts` total.
    pub is_real: T,
    /// A copy of the first asset slot's `empty` cell.
    pub first_asset_empty: T,
    /// A copy of the first position slot's `empty` cell (constant 1 without position slots).
    pub first_position_empty: T,
    /// The leaf's salt.
    pub salt: T,
    /// `u`: the distinct key (a copy of the distinct-key chip's output).
    pub distinct_key: T,
    /// `t = 1/(r − u)`.
    pub distinct_inverse: T,
    /// A copy of `r`.
    pub r: T,
    /// A copy of `γ`.
    pub gamma: T,
}

/// An asset slot row ([`super::asset_slot`]).
#[derive(Debug, Clone, Copy)]
pub struct AssetRow<T> {
    /// The cells every slot row has.
    pub slot: SlotRow<T>,
    /// `b`: the balance (atoms).
    pub balance: T,
    /// `l`: the debt (atoms).
    pub debt: T,
    /// `σ`: the net quantity's sign.
    pub sign: T,
    /// `m`: the net quantity's code.
    pub code: T,
}

/// A position slot row ([`super::position_slot`]).
#[derive(Debug, Clone, Copy)]
pub struct PositionRow<T> {
    /// The cells every slot row has.
    pub slot: SlotRow<T>,
    /// `σ_s`: the size's sign.
    pub size_sign: T,
    /// `m_s`: the size's code.
    pub size_code: T,
    /// `σ_c`: the entry cost's sign.
    pub cost_sign: T,
    /// `m_c`: the entry cost's code.
    pub cost_code: T,
    /// `U`: the unrealized PnL.
    pub pnl: T,
}

/// A status row ([`super::status`]).
#[derive(Debug, Clone, Copy)]
pub struct StatusRow<T> {
    /// `σ_E`: bankrupt.
    pub equity_sign: T,
    /// `m_E`: the equity's code.
    pub equity_code: T,
    /// `σ_D`: below the threshold.
    pub margin_sign: T,
    /// `m_D`: the margin test's code.
    pub margin_code: T,
    /// `liq`: liquidatable.
    pub liquidatable: T,
    /// `eo`: equity owed to the owner.
    pub equity_owed: T,
    /// `bd`: bad debt.
    pub bad_debt: T,
    /// `sf`: shortfall.
    pub shortfall: T,
}

// A status row's terms of the outcome totals: liquidatable, bankrupt (`σ_E`), equity owed,
// bad debt, shortfall.
crate::outcome_fields!(<T> StatusRow<T>, T; liquidatable, equity_sign, equity_owed, bad_debt, shortfall);

impl<T: Clone> StatusRow<T> {
    /// The five outcome terms in [`OutcomeTotal::ALL`](crate::model::totals::OutcomeTotal::ALL)
    /// order (the scenario's poles, the chain of commitments).
    pub fn outcome_terms(&self) -> [T; OUTCOME_TOTALS] {
        self.outcomes().map(T::clone)
    }
}

/// A scenario's status row seen by the `scenario outcome` gate ([`super::outcome`]): its outcome
/// terms are the [`StatusRow`]'s cells ([`StatusRow::outcome_terms`]).
#[derive(Debug, Clone, Copy)]
pub struct OutcomeRow<T> {
    /// The five outcome terms, in order.
    pub terms: [T; OUTCOME_TOTALS],
    /// The five weights `w_t = 1/(r − pole − t)`.
    pub weights: [T; OUTCOME_TOTALS],
    /// A copy of `r`.
    pub r: T,
}

/// The margin bucket's two rows ([`super::distribution`]).
#[derive(Debug, Clone, Copy)]
pub struct DistributionRow<T> {
    /// `j`: the bucket (the slot rows' index column, for the edge lookup).
    pub bucket: T,
    /// `v`: the edge plus one, or 0 (the slot rows' price column, for the edge lookup).
    pub edge: T,
    /// `AE`: a copy of the base valuation's adjusted equity.
    pub adjusted_equity: T,
    /// `MR`: a copy of the base valuation's requirement.
    pub requirement: T,
    /// `z = [MR = 0]`.
    pub no_requirement: T,
    /// `MR⁻¹`, or 0.
    pub requirement_inverse: T,
    /// `h = [v ≠ 0]`: the edge applies.
    pub flag: T,
    /// `v⁻¹`, or 0.
    pub flag_inverse: T,
    /// The comparison's code.
    pub code: T,
    /// `w`: the pole's inverse (second row).
    pub weight: T,
    /// A copy of `r` (second row).
    pub r: T,
    /// A copy of the identity row's `is_real` (second row).
    pub is_real: T,
}

/// A portfolio-margin shock row ([`super::portfolio`]): one slot under one shock, and on the
/// last slot of the shock its comparison with the requirement.
#[derive(Debug, Clone, Copy)]
pub struct ShockRow<T> {
    /// A copy of the slot's instrument index (the instrument lookup's index column).
    pub index: T,
    /// `c`: the move's code `μ + RS` (the lookup's price column).
    pub move_code: T,
    /// A copy of the slot's sign `σ`.
    pub sign: T,
    /// A copy of the slot's magnitude `x` (`|v_a|` or the notional) under the valuation.
    pub value: T,
    /// `L`: the shock's loss so far.
    pub loss: T,
    /// `Gr`: the gross value so far.
    pub gross: T,
    /// `MR`: a copy of the requirement (last slot of the shock).
    pub requirement: T,
    /// `d = MR − L` (last slot of the shock).
    pub margin: T,
    /// `P = P_in·d` (last slot of the shock).
    pub product: T,
    /// `P_in`: the previous shock's `P`, or `MR` for the first (last slot of the shock).
    pub product_in: T,
}

/// The portfolio-margin requirement row ([`super::portfolio`]), just above a status row.
#[derive(Debug, Clone, Copy)]
pub struct RequirementRow<T> {
    /// The index 0 the floor rate's lookup reads.
    pub index: T,
    /// `φ`, the floor rate (the lookup's price column).
    pub floor_rate: T,
    /// `d_f = MR − φ·Gr`.
    pub floor_margin: T,
    /// `ae`, `e` (copies of the last slot row's), `mr = MR_pm`, `bk` (a copy).
    pub accumulators: AccumulatorRow<T>,
}

/// Every row kind of the account region, over the same columns.
#[derive(Debug, Clone, Copy)]
pub struct AccountRows<T> {
    /// The accumulators (every row kind but the margin bucket's).
    pub accumulators: AccumulatorRow<T>,
    /// Row 0.
    pub identity: IdentityRow<T>,
    /// Asset slot rows.
    pub asset: AssetRow<T>,
    /// Position slot rows.
    pub position: PositionRow<T>,
    /// Status rows.
    pub status: StatusRow<T>,
    /// Scenario status rows, for their outcome terms.
    pub outcome: OutcomeRow<T>,
    /// The margin bucket's rows.
    pub distribution: DistributionRow<T>,
    /// Portfolio-margin shock rows.
    pub shock: ShockRow<T>,
    /// The portfolio-margin requirement row.
    pub requirement: RequirementRow<T>,
}

impl<T: Copy> AccountRows<T> {
    /// The layout table above: names every column's role on every row kind.
    pub fn new(all: [T; ACCOUNT_COLUMNS]) -> Self {
        let [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20] =
            all;
        let accumulators = AccumulatorRow {
            adjusted_equity: a17,
            equity: a18,
            requirement: a19,
            bucket: a20,
        };
        let slot = SlotRow {
            index: a0,
            price: a5,
            value: a6,
            tiered: a7,
            word: a8,
            tier_table: a9,
            bucket_inverse: a10,
            r: a11,
            rho: a12,
            empty: a13,
            empty_inverse: a14,
            gap: a15,
        };
        let status = StatusRow {
            equity_sign: a0,
            equity_code: a1,
            margin_sign: a2,
            margin_code: a3,
            liquidatable: a4,
            equity_owed: a5,
            bad_debt: a6,
            shortfall: a7,
        };
        AccountRows {
            accumulators,
            identity: IdentityRow {
                id_hash: a0,
                id_inverse: a1,
                is_real: a2,
                first_asset_empty: a3,
                first_position_empty: a4,
                salt: a5,
                distinct_key: a6,
                distinct_inverse: slot.bucket_inverse,
                r: slot.r,
                gamma: slot.rho,
            },
            asset: AssetRow {
                slot,
                balance: a1,
                debt: a2,
                sign: a3,
                code: a4,
            },
            position: PositionRow {
                slot,
                size_sign: a1,
                size_code: a2,
                cost_sign: a3,
                cost_code: a4,
                pnl: a16,
            },
            status,
            outcome: OutcomeRow {
                terms: status.outcome_terms(),
                weights: [a8, a9, a10, a12, a13],
                r: a11,
            },
            distribution: DistributionRow {
                bucket: slot.index,
                edge: slot.price,
                adjusted_equity: a1,
                requirement: a2,
                no_requirement: a3,
                requirement_inverse: a4,
                flag: a6,
                flag_inverse: a7,
                code: a8,
                weight: a9,
                r: a10,
                is_real: a11,
            },
            shock: ShockRow {
                index: slot.index,
                move_code: slot.price,
                sign: a1,
                value: slot.value,
                loss: a7,
                gross: a8,
                requirement: a2,
                margin: a3,
                product: a4,
                product_in: a9,
            },
            requirement: RequirementRow {
                index: slot.index,
                floor_rate: slot.price,
                floor_margin: a3,
                accumulators,
            },
        }
    }
}

/// The account region's columns: the advice rows and the fixed column of each row's price kind
/// ([`crate::chips::instruments::price_kind`]).
#[derive(Debug, Clone, Copy)]
pub struct AccountColumns {
    /// The advice columns, by row kind.
    pub rows: AccountRows<Column<Advice>>,
    /// The fixed column of each row's price kind.
    pub slot_kind: Column<Fixed>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row kind's fields as column positions (the rows over `0..21`).
    fn positions() -> AccountRows<usize> {
        AccountRows::new(std::array::from_fn(|i| i))
    }

    fn distinct(kind: &str, mut columns: Vec<usize>) {
        let n = columns.len();
        columns.sort_unstable();
        columns.dedup();
        assert_eq!(columns.len(), n, "{kind}: two fields share a column");
    }

    #[test]
    fn no_row_kind_puts_two_fields_in_one_column() {
        let r = positions();
        let a = r.accumulators;
        let bucket = a.bucket;
        let acc = [a.adjusted_equity, a.equity, a.requirement, a.bucket];
        let s = r.asset.slot;
        let slot = [
            s.index,
            s.price,
            s.value,
            s.tiered,
            s.word,
            s.tier_table,
            s.bucket_inverse,
            s.r,
            s.rho,
            s.empty,
            s.empty_inverse,
            s.gap,
        ];
        let i = r.identity;
        let identity = [
            i.id_hash,
            i.id_inverse,
            i.is_real,
            i.first_asset_empty,
            i.first_position_empty,
            i.salt,
            i.distinct_key,
            i.distinct_inverse,
            i.r,
            i.gamma,
        ];
        distinct("identity", [&identity[..], &acc].concat());
        let a = r.asset;
        distinct(
            "asset",
            [&slot[..], &[a.balance, a.debt, a.sign, a.code], &acc].concat(),
        );
        let p = r.position;
        let position = [p.size_sign, p.size_code, p.cost_sign, p.cost_code, p.pnl];
        distinct("position", [&slot[..], &position, &acc].concat());
        let (o, st) = (r.outcome, r.status);
        let status = [
            st.equity_sign,
            st.equity_code,
            st.margin_sign,
            st.margin_code,
            st.liquidatable,
            st.equity_owed,
            st.bad_debt,
            st.shortfall,
        ];
        // A scenario's status row: the status fields (its outcome terms among them), the
        // weights, `r` and the accumulators.
        distinct(
            "scenario status",
            [&status[..], &o.weights, &[o.r], &acc].concat(),
        );
        assert!(o.terms.iter().all(|t| status.contains(t)));
        distinct(
            "status",
            [
                &[
                    st.equity_sign,
                    st.equity_code,
                    st.margin_sign,
                    st.margin_code,
                ][..],
                &[st.liquidatable, st.equity_owed, st.bad_debt, st.shortfall],
                &acc,
            ]
            .concat(),
        );
        let d = r.distribution;
        distinct(
            "margin bucket",
            vec![
                d.bucket,
                d.edge,
                d.adjusted_equity,
                d.requirement,
                d.no_requirement,
                d.requirement_inverse,
                d.flag,
                d.flag_inverse,
                d.code,
                d.weight,
                d.r,
                d.is_real,
                bucket,
            ],
        );
    }

    #[test]
    fn the_portfolio_rows_put_each_field_in_its_own_column() {
        let r = positions();
        let k = r.shock;
        distinct(
            "shock",
            vec![
                k.index,
                k.move_code,
                k.sign,
                k.value,
                k.loss,
                k.gross,
                k.requirement,
                k.margin,
                k.product,
                k.product_in,
            ],
        );
        let q = r.requirement;
        let a = q.accumulators;
        distinct(
            "portfolio requirement",
            vec![
                q.index,
                q.floor_rate,
                q.floor_margin,
                a.adjusted_equity,
                a.equity,
                a.requirement,
                a.bucket,
            ],
        );
        // Both look up (index, price) where every slot row does.
        assert_eq!(
            (k.index, k.move_code),
            (r.asset.slot.index, r.asset.slot.price)
        );
        assert_eq!(
            (q.index, q.floor_rate),
            (r.asset.slot.index, r.asset.slot.price)
        );
        // The requirement row reads the last shock row's gross value and product: their
        // columns hold nothing else the requirement row writes.
        assert!(![q.floor_margin, a.requirement].contains(&k.gross));
        assert!(![q.floor_margin, a.requirement].contains(&k.product));
    }

    #[test]
    fn slot_rows_share_their_common_columns_and_the_lookup_reads_them() {
        let r = positions();
        // The instrument lookup reads (index, price) on slot and margin-bucket rows alike.
        assert_eq!(r.distribution.bucket, r.asset.slot.index);
        assert_eq!(r.distribution.edge, r.asset.slot.price);
        assert_eq!(r.position.slot.index, r.asset.slot.index);
        // The identity row's challenges sit where slot rows keep theirs.
        assert_eq!(r.identity.r, r.asset.slot.r);
        assert_eq!(r.identity.gamma, r.asset.slot.rho);
        // The outcome terms are the status row's cells.
        assert_eq!(r.outcome.terms[0], r.status.liquidatable);
        assert_eq!(r.outcome.terms[1], r.status.equity_sign);
    }
}
