//! The public totals of SPEC §4, in the one canonical order that the circuit accumulates and the
//! commitment hashes.

use num_bigint::BigInt;
use num_traits::Zero;

use crate::config::RiskParams;
use crate::field::{fp_from_bigint, Fp};
use crate::model::portfolio::MarginMode;
use crate::model::record::AccountRecord;
use crate::model::risk::AccountRisk;
use crate::model::stress::{evaluate_stress, DistributionCounts, OutcomeTotals, OUTCOME_TOTALS};

/// Number of per-account totals, the tail of [`Totals::entries`].
pub const ACCOUNT_TOTALS: usize = 7;

/// One of a scenario's outcome totals (SPEC §7), which are also the per-account totals after
/// `accounts` (SPEC §4). [`OutcomeTotal::ALL`] is their one order: of the chain of commitments,
/// of each account's terms, of each scenario's poles, and of the values `totals.json` reads and
/// writes (through [`OutcomeFields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeTotal {
    /// Number liquidatable.
    Liquidatable,
    /// Number bankrupt.
    Bankrupt,
    /// `Σ max(E, 0)`: equity owed to account owners (ν).
    Equity,
    /// `Σ max(−E, 0)`: bad debt (ν).
    BadDebt,
    /// `Σ max(0, θ·MR − AE·RS)`: shortfall (ν·ppm²).
    Shortfall,
}

impl OutcomeTotal {
    /// The outcome totals in their one order.
    pub const ALL: [OutcomeTotal; OUTCOME_TOTALS] = [
        OutcomeTotal::Liquidatable,
        OutcomeTotal::Bankrupt,
        OutcomeTotal::Equity,
        OutcomeTotal::BadDebt,
        OutcomeTotal::Shortfall,
    ];
}

/// One per-account total of SPEC §4: the number of accounts, then the outcome totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTotal {
    /// Number of accounts (padding excluded).
    Accounts,
    /// An outcome total under the base prices.
    Outcome(OutcomeTotal),
    /// Number of portfolio-margin units (SPEC §12): the accounts of portfolio-margin classes.
    PortfolioMarginUnits,
}

impl AccountTotal {
    /// The per-account totals in their one order.
    pub const ALL: [AccountTotal; ACCOUNT_TOTALS] = [
        AccountTotal::Accounts,
        AccountTotal::Outcome(OutcomeTotal::ALL[0]),
        AccountTotal::Outcome(OutcomeTotal::ALL[1]),
        AccountTotal::Outcome(OutcomeTotal::ALL[2]),
        AccountTotal::Outcome(OutcomeTotal::ALL[3]),
        AccountTotal::Outcome(OutcomeTotal::ALL[4]),
        AccountTotal::PortfolioMarginUnits,
    ];

    /// Its key in `totals.json` and its name in errors.
    pub fn key(self) -> &'static str {
        match self {
            AccountTotal::Accounts => "accounts",
            AccountTotal::Outcome(OutcomeTotal::Liquidatable) => "liquidatable",
            AccountTotal::Outcome(OutcomeTotal::Bankrupt) => "bankrupt",
            AccountTotal::Outcome(OutcomeTotal::Equity) => "equity",
            AccountTotal::Outcome(OutcomeTotal::BadDebt) => "bad_debt",
            AccountTotal::Outcome(OutcomeTotal::Shortfall) => "shortfall",
            AccountTotal::PortfolioMarginUnits => "portfolio_margin_units",
        }
    }

    /// Its name in the circuit: the `running total: <name>` region that sums it.
    pub fn region(self) -> &'static str {
        match self {
            AccountTotal::Outcome(OutcomeTotal::BadDebt) => "bad debt",
            AccountTotal::PortfolioMarginUnits => "portfolio-margin units",
            other => other.key(),
        }
    }

    /// Bits of its proven range ([`crate::units::total_bits`]).
    pub fn bits(self) -> usize {
        use crate::units::total_bits::{COUNT, EQUITY, SHORTFALL};
        match self {
            AccountTotal::Accounts
            | AccountTotal::PortfolioMarginUnits
            | AccountTotal::Outcome(OutcomeTotal::Liquidatable | OutcomeTotal::Bankrupt) => COUNT,
            AccountTotal::Outcome(OutcomeTotal::Equity | OutcomeTotal::BadDebt) => EQUITY,
            AccountTotal::Outcome(OutcomeTotal::Shortfall) => SHORTFALL,
        }
    }
}

/// Something that holds one value per outcome total, by name: the mapping from
/// [`OutcomeTotal`] to the holder's fields, written once per holder ([`crate::outcome_fields!`]).
pub trait OutcomeFields {
    /// What it holds per total.
    type Value;
    /// The value of `t`.
    fn outcome(&self, t: OutcomeTotal) -> &Self::Value;
    /// The value of `t`, to set.
    fn outcome_mut(&mut self, t: OutcomeTotal) -> &mut Self::Value;
    /// Every value, in [`OutcomeTotal::ALL`] order.
    fn outcomes(&self) -> [&Self::Value; OUTCOME_TOTALS] {
        OutcomeTotal::ALL.map(|t| self.outcome(t))
    }
}

/// Implements [`OutcomeFields`] for a type from its five field names, in [`OutcomeTotal::ALL`]
/// order: `outcome_fields!(Type, Value; liquidatable, bankrupt, equity, bad_debt, shortfall)`, or
/// `outcome_fields!(<T> Type<T>, T; …)` for a generic holder.
#[macro_export]
macro_rules! outcome_fields {
    (<$g:ident> $ty:ty, $value:ty; $liq:ident, $bankrupt:ident, $equity:ident, $bad:ident, $short:ident) => {
        $crate::outcome_fields!(@impl [$g] $ty, $value; $liq, $bankrupt, $equity, $bad, $short);
    };
    (@impl [$($g:ident)?] $ty:ty, $value:ty; $liq:ident, $bankrupt:ident, $equity:ident, $bad:ident, $short:ident) => {
        impl<$($g)?> $crate::model::totals::OutcomeFields for $ty {
            type Value = $value;
            fn outcome(&self, t: $crate::model::totals::OutcomeTotal) -> &$value {
                use $crate::model::totals::OutcomeTotal::*;
                match t {
                    Liquidatable => &self.$liq,
                    Bankrupt => &self.$bankrupt,
                    Equity => &self.$equity,
                    BadDebt => &self.$bad,
                    Shortfall => &self.$short,
                }
            }
            fn outcome_mut(&mut self, t: $crate::model::totals::OutcomeTotal) -> &mut $value {
                use $crate::model::totals::OutcomeTotal::*;
                match t {
                    Liquidatable => &mut self.$liq,
                    Bankrupt => &mut self.$bankrupt,
                    Equity => &mut self.$equity,
                    BadDebt => &mut self.$bad,
                    Shortfall => &mut self.$short,
                }
            }
        }
    };
    ($ty:ty, $value:ty; $liq:ident, $bankrupt:ident, $equity:ident, $bad:ident, $short:ident) => {
        $crate::outcome_fields!(@impl [] $ty, $value; $liq, $bankrupt, $equity, $bad, $short);
    };
}

outcome_fields!(Totals, BigInt; liquidatable, bankrupt, equity, bad_debt, shortfall);
outcome_fields!(OutcomeTotals, BigInt; liquidatable, bankrupt, equity, bad_debt, shortfall);

impl OutcomeTotals {
    /// The five in their one order ([`OutcomeTotal::ALL`], the order of the scenario poles).
    pub fn entries(&self) -> [&BigInt; OUTCOME_TOTALS] {
        self.outcomes()
    }
}

impl Totals {
    /// The value of the per-account total `t`.
    pub fn account_total(&self, t: AccountTotal) -> &BigInt {
        match t {
            AccountTotal::Accounts => &self.accounts,
            AccountTotal::Outcome(o) => self.outcome(o),
            AccountTotal::PortfolioMarginUnits => &self.portfolio_margin_units,
        }
    }

    /// The value of the per-account total `t`, to set.
    pub fn account_total_mut(&mut self, t: AccountTotal) -> &mut BigInt {
        match t {
            AccountTotal::Accounts => &mut self.accounts,
            AccountTotal::Outcome(o) => self.outcome_mut(o),
            AccountTotal::PortfolioMarginUnits => &mut self.portfolio_margin_units,
        }
    }
}

/// The `running total: <name>` regions of the chain of commitments, in order: the per-account
/// totals, then the bucket sum.
pub fn chain_entry_names() -> impl Iterator<Item = &'static str> {
    AccountTotal::ALL
        .into_iter()
        .map(AccountTotal::region)
        .chain(std::iter::once("bucket sum"))
}

/// What each running-totals commitment `C_i` holds, in order: the per-account totals
/// ([`Totals::account_entries`]), then the running bucket sum `S` of the instrument totals'
/// identity ([`crate::model::buckets`]). The per-instrument totals are never committed per batch.
pub fn chain_entries(totals: &Totals, bucket_sum: Fp) -> Vec<Fp> {
    let mut entries: Vec<Fp> = totals
        .account_entries()
        .iter()
        .map(fp_from_bigint)
        .collect();
    entries.push(bucket_sum);
    entries
}

/// Totals of one asset, in atoms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetTotals {
    /// Σ b_a.
    pub balance: BigInt,
    /// Σ l_a.
    pub debt: BigInt,
}

/// Totals of one market.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketTotals {
    /// Σ s_m (atoms, signed).
    pub net_size: BigInt,
    /// Σ |s_m| (atoms).
    pub open_interest: BigInt,
    /// Σ U_m (ν, signed).
    pub pnl: BigInt,
}

/// The totals over all records (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per asset.
    pub assets: Vec<AssetTotals>,
    /// Per market.
    pub markets: Vec<MarketTotals>,
    /// Number of accounts (padding excluded).
    pub accounts: BigInt,
    /// Number of liquidatable accounts.
    pub liquidatable: BigInt,
    /// Number of bankrupt accounts.
    pub bankrupt: BigInt,
    /// Σ max(E, 0) (ν).
    pub equity: BigInt,
    /// Σ max(−E, 0) (ν).
    pub bad_debt: BigInt,
    /// Σ max(0, θ·MR − AE·RS) (ν·ppm²).
    pub shortfall: BigInt,
    /// Number of portfolio-margin units (SPEC §12).
    pub portfolio_margin_units: BigInt,
    /// Per scenario (SPEC §7), in configuration order: the same five outcome totals under its
    /// prices. Proven by the bucket identity ([`crate::model::buckets`]).
    pub scenarios: Vec<OutcomeTotals>,
    /// The margin-ratio distribution's counts, if configured (SPEC §7). Proven by the bucket
    /// identity.
    pub distribution: Option<DistributionCounts>,
}

impl Totals {
    /// All-zero totals for a configuration.
    pub fn zero(params: &RiskParams) -> Self {
        Totals {
            assets: vec![AssetTotals::default(); params.assets.len()],
            markets: vec![MarketTotals::default(); params.markets.len()],
            accounts: BigInt::zero(),
            liquidatable: BigInt::zero(),
            bankrupt: BigInt::zero(),
            equity: BigInt::zero(),
            bad_debt: BigInt::zero(),
            shortfall: BigInt::zero(),
            portfolio_margin_units: BigInt::zero(),
            scenarios: vec![OutcomeTotals::default(); params.scenarios.len()],
            distribution: params
                .distribution
                .as_ref()
                .map(|_| DistributionCounts::zero(params.distribution_buckets())),
        }
    }

    /// Number of entries for a shape: `2A + 3M` and the per-account totals.
    pub fn len_for(num_assets: usize, num_markets: usize) -> usize {
        2 * num_assets + 3 * num_markets + ACCOUNT_TOTALS
    }

    /// One account's contribution: `risk` is its base valuation, and the scenarios and its
    /// bucket are valued here. `counted` is false for padding.
    pub fn of_account(
        params: &RiskParams,
        record: &AccountRecord,
        risk: &AccountRisk,
        counted: bool,
    ) -> Self {
        let one = |b: bool| BigInt::from(u8::from(b));
        let base = OutcomeTotals::of(risk);
        let stress = evaluate_stress(params, record, risk);
        let distribution = params.distribution.as_ref().map(|_| {
            let mut counts = DistributionCounts::zero(params.distribution_buckets());
            if let (true, Some(bucket)) = (counted, stress.bucket) {
                counts.count(bucket);
            }
            counts
        });
        Totals {
            assets: record
                .balances
                .iter()
                .zip(&record.debts)
                .map(|(b, l)| AssetTotals {
                    balance: BigInt::from(*b),
                    debt: BigInt::from(*l),
                })
                .collect(),
            markets: record
                .positions
                .iter()
                .zip(&risk.positions)
                .map(|(p, v)| MarketTotals {
                    net_size: BigInt::from(p.size),
                    open_interest: BigInt::from(p.size.unsigned_abs()),
                    pnl: v.pnl.clone(),
                })
                .collect(),
            accounts: one(counted),
            liquidatable: base.liquidatable,
            bankrupt: base.bankrupt,
            equity: base.equity,
            bad_debt: base.bad_debt,
            shortfall: base.shortfall,
            portfolio_margin_units: one(counted && record.mode == MarginMode::Portfolio),
            scenarios: stress.scenarios.iter().map(OutcomeTotals::of).collect(),
            distribution,
        }
    }

    /// Adds another set of totals of the same shape.
    pub fn add(&mut self, other: &Totals) {
        for (a, b) in self.assets.iter_mut().zip(&other.assets) {
            a.balance += &b.balance;
            a.debt += &b.debt;
        }
        for (a, b) in self.markets.iter_mut().zip(&other.markets) {
            a.net_size += &b.net_size;
            a.open_interest += &b.open_interest;
            a.pnl += &b.pnl;
        }
        self.accounts += &other.accounts;
        self.liquidatable += &other.liquidatable;
        self.bankrupt += &other.bankrupt;
        self.equity += &other.equity;
        self.bad_debt += &other.bad_debt;
        self.shortfall += &other.shortfall;
        self.portfolio_margin_units += &other.portfolio_margin_units;
        for (a, b) in self.scenarios.iter_mut().zip(&other.scenarios) {
            a.add(b);
        }
        if let (Some(a), Some(b)) = (&mut self.distribution, &other.distribution) {
            a.add(b);
        }
    }

    /// The stress entries (SPEC §7), proven by the bucket identity and bound by the challenges:
    /// each scenario's five outcome totals in order, then the distribution's bucket counts and
    /// its no-requirement count.
    pub fn stress_entries(&self) -> Vec<BigInt> {
        let mut out: Vec<BigInt> = self
            .scenarios
            .iter()
            .flat_map(|s| s.entries().into_iter().cloned())
            .collect();
        if let Some(d) = &self.distribution {
            out.extend(d.poles().map(|(_, c)| c.clone()));
        }
        out
    }

    /// The entries in canonical order: per asset (balance, debt), per market (net size, open
    /// interest, PnL), then the per-account totals in [`AccountTotal::ALL`] order.
    pub fn entries(&self) -> Vec<BigInt> {
        let mut out = Vec::with_capacity(Self::len_for(self.assets.len(), self.markets.len()));
        for a in &self.assets {
            out.push(a.balance.clone());
            out.push(a.debt.clone());
        }
        for m in &self.markets {
            out.push(m.net_size.clone());
            out.push(m.open_interest.clone());
            out.push(m.pnl.clone());
        }
        out.extend(AccountTotal::ALL.map(|t| self.account_total(t).clone()));
        out
    }

    /// The per-instrument entries: the first `2A + 3M` of [`Totals::entries`], proven by the
    /// bucket identity ([`crate::model::buckets`]) and bound by the challenges.
    pub fn instrument_entries(&self) -> Vec<BigInt> {
        let mut entries = self.entries();
        entries.truncate(entries.len() - ACCOUNT_TOTALS);
        entries
    }

    /// The per-account entries: the last [`ACCOUNT_TOTALS`] of [`Totals::entries`] (accounts,
    /// liquidatable, bankrupt, equity, bad debt, shortfall, portfolio-margin units), summed in
    /// the chain of commitments.
    pub fn account_entries(&self) -> Vec<BigInt> {
        let entries = self.entries();
        entries[entries.len() - ACCOUNT_TOTALS..].to_vec()
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;

    #[test]
    fn the_chain_follows_the_one_order_of_the_per_account_totals() {
        let names: Vec<&str> = chain_entry_names().collect();
        assert_eq!(
            names,
            [
                "accounts",
                "liquidatable",
                "bankrupt",
                "equity",
                "bad debt",
                "shortfall",
                "portfolio-margin units",
                "bucket sum"
            ]
        );
        let keys = AccountTotal::ALL.map(AccountTotal::key);
        assert_eq!(
            keys,
            [
                "accounts",
                "liquidatable",
                "bankrupt",
                "equity",
                "bad_debt",
                "shortfall",
                "portfolio_margin_units"
            ]
        );
    }

    #[test]
    fn each_total_is_read_and_written_through_its_one_field() {
        let mut t = OutcomeTotals::default();
        for (i, o) in OutcomeTotal::ALL.into_iter().enumerate() {
            *t.outcome_mut(o) = BigInt::from(i + 1);
        }
        assert_eq!(t.bankrupt, BigInt::from(2));
        assert_eq!(t.shortfall, BigInt::from(5));
        let entries: Vec<BigInt> = t.entries().into_iter().cloned().collect();
        assert_eq!(entries, (1..=5).map(BigInt::from).collect::<Vec<_>>());
    }
}
