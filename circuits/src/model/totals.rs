//! The public totals of SPEC §4, in the one canonical order that the circuit accumulates and the
//! commitment hashes.

use num_bigint::BigInt;
use num_traits::Zero;

use crate::config::RiskParams;
use crate::field::{fp_from_bigint, Fp};
use crate::model::record::AccountRecord;
use crate::model::risk::AccountRisk;
use crate::model::stress::{evaluate_stress, DistributionCounts, OutcomeTotals};

/// Number of per-account totals, the tail of [`Totals::entries`].
pub const ACCOUNT_TOTALS: usize = 6;

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
            scenarios: vec![OutcomeTotals::default(); params.scenarios.len()],
            distribution: params
                .distribution
                .as_ref()
                .map(|_| DistributionCounts::zero(params.distribution_buckets())),
        }
    }

    /// Number of entries for a shape: `2A + 3M + 6`.
    pub fn len_for(num_assets: usize, num_markets: usize) -> usize {
        2 * num_assets + 3 * num_markets + 6
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
    /// interest, PnL), then accounts, liquidatable, bankrupt, equity, bad debt, shortfall.
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
        out.extend([
            self.accounts.clone(),
            self.liquidatable.clone(),
            self.bankrupt.clone(),
            self.equity.clone(),
            self.bad_debt.clone(),
            self.shortfall.clone(),
        ]);
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
    /// liquidatable, bankrupt, equity, bad debt, shortfall), summed in the chain of commitments.
    pub fn account_entries(&self) -> Vec<BigInt> {
        let entries = self.entries();
        entries[entries.len() - ACCOUNT_TOTALS..].to_vec()
    }
}
