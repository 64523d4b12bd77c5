//! The batch circuit: `B` accounts (each a [`SlotShape`] of holding slots) valued under the public configuration, their leaves and
//! batch root, and the running-totals commitment chain from `C_i` to `C_{i+1}` (SPEC §1, §3).
//!
//! Public inputs (one instance column, offsets in [`crate::instance`]):
//!
//! | offset | value | constrained to |
//! |---|---|---|
//! | [`STATEMENT_TAG`] | snapshot and configuration tag | first word of both commitments |
//! | [`BATCH_ROOT`] | root of the batch's leaves | the in-circuit tree root |
//! | [`TOTALS_BEFORE`] | `C_i` | commitment to the opened totals before |
//! | [`TOTALS_AFTER`] | `C_{i+1}` | commitment to the totals after |
//! | [`CHALLENGE`] | `r` | the bucket identity's evaluation point |
//! | [`CHALLENGE_WEIGHT`] | `ρ` | the bucket identity's weight |
//! | [`DISTINCT_WEIGHT`] | `γ` | the weight of the distinct-key terms |
//! | [`CLASS_CODE`] | the batch's [`crate::statement::SizeClass::code`] | a constant of the circuit (so of its verifying key); the leaves' capacity is the same constant |
//! | [`DISTINCT_COMMITMENT`] | `K = Poseidon(k, 0)` | the commitment computed from the batch's `k`, whose copies feed every distinct key |
//! | [`INSTRUMENT_PRICES`](crate::statement::INSTRUMENT_PRICES)` + i` | price of row `i` of [`crate::chips::instruments::instrument_rows`] (assets, then markets; then each scenario's block; then the distribution's edges) | the instrument table itself (its price column is the instance column) |
//!
//! The verifier computes the three challenges once per snapshot from the tag, the snapshot root,
//! the published per-instrument totals, the classes with each batch's class, `K` and the digest
//! of the published distinct keys ([`crate::statement::snapshot_challenges`]); see
//! [`crate::model::buckets`] and [`crate::model::distinct`]. The tag covers every byte of the
//! configuration, prices included.
//!
//! The configuration's **shape** (how many assets and markets, the tier tables, the threshold)
//! is in fixed columns and lookup tables, so it is part of the verifying key: the auditor
//! re-derives the key from the published configuration, and a proof made under another shape
//! does not verify. The **prices** are public inputs ([`crate::chips::instruments`]): a new
//! snapshot of the same shape at new prices reuses the same keys
//! ([`crate::config::RiskParams::shape_digest`]).
//!
//! # Constraint index
//!
//! Each formula of SPEC §2 (risk model), §3 (commitments) and §4 (totals), in the model's words,
//! and what enforces it: a gate and its constraint names (as in the code), a lookup, a copy
//! constraint, a range check (`range check: <what>` regions, [`crate::chips::range_check`]), or the
//! verifier natively. The bounds each gate relies on are in that gate's doc comment. Signed values
//! use the code `v = m − σ(2m + 1)` of [`crate::signed`].
//!
//! | SPEC formula | enforced by |
//! |---|---|
//! | every range `0 ≤ x < 2^n` below | a `range check: <what>` region: running sum of `K`-bit limbs and an exact short top limb, one lookup per lane ([`crate::chips::range_check`], `K` = `limb_bits(B)`) |
//! | §2 balance and debt `0 ≤ b_a, l_a < 2^64` | range checks `asset slot i balance`, `asset slot i debt` (64 bits) |
//! | §2 position `\|s_m\| < 2^64`, `\|c_m\| < 2^128` | `position slot` → `size sign is boolean`, `cost sign is boolean`, `held or empty, magnitudes in range`; range checks `position slot j size code` (64), `position slot j cost code` (128) |
//! | §2 each holding valued at its instrument's published price `p_a`, `P_m` | instrument lookup ([`crate::chips::instruments`], `lookup_any` of `(kind, index, kind·price)` against fixed `kind`, `index` and the instance column at rows `INSTRUMENT_PRICES + i`); the verifier takes the prices from the published configuration |
//! | §2 `v_a = (b_a − l_a)·p_a` | `asset slot` → `sign is boolean`, `net quantity`, `net value` (`x = \|v_a\|`); range check `asset slot i net code` |
//! | §2 `F(x) = Σ_k r_k·clamp(x − B_{k−1}, 0, B_k − B_{k−1})` | `tiered rate` → `offset in tier`, `room in tier`, `tier value`; the tier lookup `(table id, lower, max_offset, base, rate)`; range checks `… tier offset`, `… tier room` (128 bits); the table id from `asset slot` / `position slot` → `tier table` |
//! | §2 `W_a = H_a(v_a)` if `v_a ≥ 0`, else `RS·v_a` | `asset slot` → `tier table` (`tid = 1 + 2a + σ`), `haircut collateral` |
//! | §2 `U_m = s_m·P_m − c_m` | `position slot` → `pnl` |
//! | §2 `AE = Σ_a W_a + RS·Σ_m U_m` | `account identity` → `adjusted equity starts at zero`; `asset slot` → `haircut collateral`; `position slot` → `pnl collateral` |
//! | §2 `E = Σ_a v_a + Σ_m U_m` | `account identity` → `raw equity starts at zero`; `asset slot` → `net value sum`; `position slot` → `pnl sum` |
//! | §2 `MR = Σ_a G_a(max(0, −v_a)) + Σ_m G_m(\|s_m\|·P_m)` | `account identity` → `requirement starts at zero`; `asset slot` → `borrow requirement`; `position slot` → `notional`, `tier table`, `position requirement` |
//! | §2 bankrupt iff `E < 0` | `account status` → `equity sign is boolean`, `equity sign`; range check `equity code` |
//! | §2 otherwise liquidatable iff `AE·RS < θ·MR` | `account status` → `margin sign is boolean`, `margin test`, `liquidatable` (θ in a fixed column, in the verifying key); range check `margin code` |
//! | §2 healthy: neither | implied: `liquidatable` is 0 for a bankrupt account; no total counts healthy accounts |
//! | §2 margin ratio `AE / MR` (display) | not in the circuit: `verify-inclusion` computes it from the user's own record |
//! | §3 the record's leaf words, one canonical encoding | `asset slot` → `leaf word`, `empty flag`, `empty slot holds nothing`, `empty slot has index zero`; `position slot` → `leaf word`, `empty flag is boolean`, `empty slot holds nothing`, `empty slot has index zero`; `slot order` → `held slots in index order`, `empty slots last`; range checks `… gap` |
//! | §3 padding holds nothing and looks like any leaf | `account identity` → `real iff id is nonzero`, `padding has zero id`, `padding holds no asset`, `padding holds no position`; copy constraints of the first slots' `empty` cells; the padding salt is the prover's (secret-derived) |
//! | §3 leaf `Poseidon_{2^130 + class}(id_hash, salt, words…)`, batch tree, root | [`crate::chips::hashing`]: the leaf on the width-9 `Pow5Chip` with the class's capacity (a constant, equal to the instance [`CLASS_CODE`] plus `2^130`: `class code` of the public inputs region), nodes on the width-3 one (gates `full round`, `partial rounds`, `pad-and-add` of each); `id_hash` and salt are copies of the identity row's cells; the root copied to instance [`BATCH_ROOT`]. `id_hash`, salts and shuffle are native; the top tree over batch roots is the verifier's |
//! | §3 every leaf is one account, once: `u = Poseidon(id_hash, k)`, `K = Poseidon(k, 0)` | the distinct-key chip (a third `Pow5Chip`, width 3) computes `K` from the batch's `k` (copied to instance [`DISTINCT_COMMITMENT`]) and each account's `u` from its identity row's `id_hash` and a copy of `k`; `u` is copied to the identity row, whose `account identity` → `distinct key pole`, `distinct key term` (they start `bk` at `γ·is_real/(r − u)`); the verifier checks the published list is strictly increasing, that the manifest's `K` is every proof's, and adds `Σ γ/(r − w)` over the list to the totals' side ([`crate::model::distinct`]) |
//! | §3 `C_i`, `C_{i+1}` commit to the running totals before and after | [`crate::chips::hashing`] commitments of the chain entries ([`crate::model::totals::chain_entries`]: the per-account totals and the bucket sum `S`), copied to instance [`TOTALS_BEFORE`], [`TOTALS_AFTER`]; their first word is the instance [`STATEMENT_TAG`]. `C_0` and the chain are the verifier's |
//! | §4 per asset `Σ b_a`, `Σ l_a`; per market `Σ s_m`, `Σ \|s_m\|`, `Σ U_m` | `asset slot` → `bucket pole`, `bucket term`; `position slot` → `bucket pole`, `bucket term`; `account identity` → `distinct key term` (`bk` starts at the distinct-key term); rows that add nothing pass bk on: `bucket carried` → `bucket carried`; `running total` → `running total` (in the region `running total: bucket sum`, the batch's terms added to `S`); the verifier checks the last `S` against the published totals' side of the identity and derives `r`, `ρ` from the root and those totals ([`crate::model::buckets`]) |
//! | §4 accounts, liquidatable, bankrupt, `Σ max(E, 0)`, bad debt `Σ max(−E, 0)`, shortfall `Σ max(0, θ·MR − AE·RS)` | `account status` → `equity owed`, `bad debt`, `shortfall`; the terms `is_real` (`account identity`), `liquidatable`, `σ_E` (`equity sign`), `equity owed`, `bad debt`, `shortfall` (`account status`); each summed by `running total` → `running total` from the opened total before to the committed total after |
//! | §4 reserves minus net liabilities, solvency margin | not in the circuit: the auditor's report, from the verified totals |
//! | §7 every account valued under each scenario with the whole model | the base gates' valuation constraints again, with index, signs and codes copied from the base slot row: `scenario asset slot` → `sign is boolean`, `net value`, `tier table`, `haircut collateral`, `net value sum`, `borrow requirement`, `bucket carried`; `scenario position slot` → `size sign is boolean`, `cost sign is boolean`, `notional`, `pnl`, `tier table`, `pnl collateral`, `pnl sum`, `position requirement`, `bucket carried`; the tier proofs `tiered rate: scenario s …`; on the scenario's status row `account status` → `adjusted equity restarts`, `raw equity restarts`, `requirement restarts` (zero the accumulators for the next scenario); range checks `scenario s equity code`, `scenario s margin code` |
//! | §7 each at the scenario's published prices | the instrument lookup with the row's fixed slot kind `price_kind(kind, s + 1)`: the scenario's block of instance rows ([`crate::chips::instruments`]) |
//! | §7 per scenario: liquidatable, bankrupt, `Σ max(E^s, 0)`, `Σ max(−E^s, 0)`, shortfall | `scenario outcome` → `outcome weight t`, `outcome terms` (the status row's cells at poles `1280 + 5s + t` of the bucket identity); carried in the region `running total: bucket sum`; the verifier checks the last `S` against the published totals ([`crate::model::buckets`]) |
//! | §7 each account with MR > 0 in exactly one bucket, `AE·RS ≥ e·MR` decided exactly; MR = 0 apart | `margin bucket` → `requirement zero flag`, `zero flag is exact`, `no requirement is bucket zero`, `same bucket on both rows`, `lower edge flag`, `lower edge flag is exact`, `upper edge flag`, `upper edge flag is exact`, `at or above the lower edge`, `below the upper edge`; the edge lookups (kinds `EDGE_LOWER_KIND`, `EDGE_UPPER_KIND`); range checks `margin bucket lower code`, `margin bucket upper code` |
//! | §12 a portfolio-margin unit's `loss_g = −(Σ_a v_a·μ_{a,g} + Σ_m n_m·μ_{m,g})` and `gross = Σ \|v_a\| + Σ \|n_m\|`, at each valuation's prices | `shock slot starts` → `loss starts`, `gross starts`; `shock slot` → `shock loss`, `gross value` (index, sign and magnitude copied from the valuation's slot rows); the instrument lookup with the row's fixed kind `shock_kind(kind, g)`: the published move's code `μ + RS` ([`crate::chips::account::portfolio`]) |
//! | §12 `MR_pm = max(φ·gross, max_g loss_g, 0)`, used for status, shortfall and the distribution | `shock close` → `requirement margin`, `candidate product`; `portfolio requirement` → `floor margin`, `requirement is a candidate` (φ from the lookup of kind `FLOOR_KIND`); range checks `… shock g margin` (164 bits), `… floor margin`, `… portfolio requirement` (163); the requirement row's `mr` is what `account status` reads |
//! | §12 the unit's mode is part of its leaf; a unit is judged by its class's model | the class code's bit 40 (the leaf's capacity and the instance [`CLASS_CODE`]); a portfolio-margin class lays out the rows above for every unit; the verifier refuses an inclusion record whose mode is not its class's |
//! | §12 `portfolio_margin_units` | the term `is_real` in a portfolio-margin class, the constant 0 in a standard one; `running total` → `running total` (region `running total: portfolio-margin units`) |
//! | §7 the count per bucket | `margin bucket` → `distribution pole`, `distribution term` (`is_real` at pole `1320 + j`, or `1337` with no requirement); carried in the region `running total: bucket sum` and checked by the verifier as above |

pub mod batch;
pub mod columns;
pub mod layout;
pub mod witness;

use std::sync::Arc;

use halo2_proofs::{
    circuit::{AssignedCell, Layouter, SimpleFloorPlanner, Value},
    plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Fixed, Instance},
};

use crate::chips::account::{
    AccountChip, AccountConfig, AccountFixedColumns, AccountInstructions, ACCOUNT_COLUMNS,
};
use crate::chips::hashing::{BatchTree, HashChip, HashConstants, PoseidonConfig};
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::InstrumentTable;
use crate::chips::range_check::{self, RangeCheckChip, RangeCheckConfig};
use crate::chips::running_total::{RunningTotalChip, RunningTotalConfig, RunningTotalInstructions};
use crate::chips::tiered::{TieredRateChip, TieredRateConfig};
use crate::config::RiskParams;
use crate::field::Fp;
use crate::hash::poseidon::{distinct_commitment_capacity, distinct_key_capacity, leaf_capacity};
use crate::model::holdings::SlotShape;
use crate::model::totals::{chain_entry_names, ACCOUNT_TOTALS};
use crate::statement::{
    SizeClass, BATCH_ROOT, CHALLENGE, CHALLENGE_WEIGHT, CLASS_CODE, DISTINCT_COMMITMENT,
    DISTINCT_WEIGHT, STATEMENT_TAG, TOTALS_AFTER, TOTALS_BEFORE,
};
use columns::MainColumns;
use witness::{AccountWitness, TotalsOpening};

/// Advice columns that run range-check lanes side by side.
pub const RANGE_LANES: usize = 5;

/// Columns and chip configurations of the batch circuit.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    main: MainColumns,
    instance: Column<Instance>,
    constants: Column<Fixed>,
    account: AccountConfig,
    instruments: InstrumentTable,
    tiers: TieredRateConfig,
    range: RangeCheckConfig,
    totals: RunningTotalConfig,
    poseidon: PoseidonConfig,
}

impl BatchConfig {
    /// The fixed column that holds global constants.
    pub fn constants(&self) -> Column<Fixed> {
        self.constants
    }
}

/// One batch proof's circuit. The configuration and the batch size are public and fix the
/// layout; the accounts and the totals opening are the witness (unknown at keygen).
#[derive(Debug, Clone)]
pub struct BatchCircuit {
    params: Arc<RiskParams>,
    shape: SlotShape,
    accounts: Vec<Value<AccountWitness>>,
    totals: Value<TotalsOpening>,
    distinct_secret: Value<Fp>,
}

impl BatchCircuit {
    /// The circuit for `accounts` (exactly the batch size, padding included, each in `shape`'s
    /// slots), the opening and the snapshot's distinct-key secret `k`.
    pub fn new(
        params: Arc<RiskParams>,
        shape: SlotShape,
        accounts: Vec<AccountWitness>,
        totals: TotalsOpening,
        distinct_secret: Fp,
    ) -> Self {
        BatchCircuit {
            params,
            shape,
            accounts: accounts.into_iter().map(Value::known).collect(),
            totals: Value::known(totals),
            distinct_secret: Value::known(distinct_secret),
        }
    }

    /// The empty circuit of a configuration, slot shape and batch size (keygen, verifying key
    /// derivation).
    pub fn shape(params: Arc<RiskParams>, shape: SlotShape, batch_size: usize) -> Self {
        BatchCircuit {
            params,
            shape,
            accounts: vec![Value::unknown(); batch_size],
            totals: Value::unknown(),
            distinct_secret: Value::unknown(),
        }
    }

    /// The size class of the circuit: its slots and batch size.
    pub fn class(&self) -> SizeClass {
        SizeClass {
            slots: self.shape,
            batch_size: self.accounts.len(),
        }
    }

    /// The configuration.
    pub fn params(&self) -> &RiskParams {
        &self.params
    }

    /// Slots per account.
    pub fn slots(&self) -> SlotShape {
        self.shape
    }

    /// Accounts per batch.
    pub fn batch_size(&self) -> usize {
        self.accounts.len()
    }

    /// Changes the witness of account slot `slot` (negative tests: a prover that lies).
    #[cfg(feature = "test-support")]
    pub fn tamper_account(&mut self, slot: usize, change: impl FnOnce(&mut AccountWitness)) {
        if let Some(w) = self.accounts.get_mut(slot) {
            *w = w.clone().map(|mut w| {
                change(&mut w);
                w
            });
        }
    }

    /// Changes the totals opening (negative tests).
    #[cfg(feature = "test-support")]
    pub fn tamper_totals(&mut self, change: impl FnOnce(&mut TotalsOpening)) {
        self.totals = self.totals.clone().map(|mut o| {
            change(&mut o);
            o
        });
    }

    /// Changes the distinct-key secret `k` (negative tests).
    #[cfg(feature = "test-support")]
    pub fn tamper_distinct_secret(&mut self, k: Fp) {
        self.distinct_secret = Value::known(k);
    }
}

/// Index of the instrument lookup (slot price and index against the published table) among the
/// batch circuit's lookups: the number `MockProver` reports for it.
pub fn instrument_lookup_index() -> usize {
    let mut cs = ConstraintSystem::default();
    BatchCircuit::configure(&mut cs).account.instrument_lookup
}

type Cell = AssignedCell<Fp, Fp>;

impl Circuit<Fp> for BatchCircuit {
    type Config = BatchConfig;
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        Self::shape(self.params.clone(), self.shape, self.accounts.len())
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> BatchConfig {
        let main: [Column<Advice>; ACCOUNT_COLUMNS] = std::array::from_fn(|_| meta.advice_column());
        let lanes: Vec<Column<Advice>> = (0..RANGE_LANES).map(|_| meta.advice_column()).collect();
        let fixed = AccountFixedColumns {
            threshold: meta.fixed_column(),
            slot_kind: meta.fixed_column(),
            pole: meta.fixed_column(),
        };
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        let instance = meta.instance_column();
        meta.enable_equality(instance);

        let range_table = meta.lookup_table_column();
        let range = RangeCheckChip::configure(meta, &lanes, range_table);
        let instruments = InstrumentTable::configure(meta, instance);
        let account = AccountChip::configure(meta, main, fixed, instruments);
        let main = MainColumns::new(main);
        let tiers = TieredRateChip::configure(meta, main.tiers);
        let totals = RunningTotalChip::configure(meta, &main.running_totals);
        let poseidon = HashChip::configure(meta, main.leaf, main.node, main.distinct);

        BatchConfig {
            main,
            instance,
            constants,
            account,
            instruments,
            tiers,
            range,
            totals,
            poseidon,
        }
    }

    fn synthesize(
        &self,
        config: BatchConfig,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<(), Error> {
        let params = &*self.params;
        let range = RangeCheckChip::construct(
            config.range.clone(),
            range_check::limb_bits(self.accounts.len()),
        );
        range.load_table(&mut layouter)?;
        let tiers = TieredRateChip::construct(config.tiers.clone());
        tiers.load_table(&mut layouter, params)?;
        config.instruments.load(&mut layouter, params)?;
        let account = AccountChip::construct(config.account.clone());
        let hash = HashChip::construct(config.poseidon.clone());
        let running = RunningTotalChip::construct(config.totals.clone());

        let class = self.class();
        let (tag, challenges, constants, k) = layouter.assign_region(
            || "public inputs",
            |mut region| {
                let from_instance = |region: &mut halo2_proofs::circuit::Region<'_, Fp>,
                                     name: &'static str,
                                     offset: usize,
                                     column: Column<Advice>| {
                    region.assign_advice_from_instance(|| name, config.instance, offset, column, 0)
                };
                let row = config.main.public_inputs;
                let tag = from_instance(&mut region, "tag", STATEMENT_TAG, row.tag)?;
                let r = from_instance(&mut region, "r", CHALLENGE, row.r)?;
                let rho = from_instance(&mut region, "rho", CHALLENGE_WEIGHT, row.rho)?;
                let gamma = from_instance(&mut region, "gamma", DISTINCT_WEIGHT, row.gamma)?;
                // The statement's class is this circuit's: a proof of another class's layout
                // cannot claim this class, nor this one another's.
                let code = from_instance(&mut region, "class code", CLASS_CODE, row.class_code)?;
                region.constrain_constant(code.cell(), Fp::from(class.code()))?;
                let constant = |region: &mut halo2_proofs::circuit::Region<'_, Fp>,
                                name: &'static str,
                                column: Column<Advice>,
                                value: Fp| {
                    region.assign_advice_from_constant(|| name, column, 0, value)
                };
                let constants = HashConstants {
                    zero: constant(&mut region, "zero", row.zero, Fp::zero())?,
                    leaf_capacity: constant(
                        &mut region,
                        "leaf capacity",
                        row.leaf_capacity,
                        leaf_capacity(class.code()),
                    )?,
                    distinct_capacity: constant(
                        &mut region,
                        "distinct key capacity",
                        row.distinct_capacity,
                        distinct_key_capacity(),
                    )?,
                    commitment_capacity: constant(
                        &mut region,
                        "distinct commitment capacity",
                        row.commitment_capacity,
                        distinct_commitment_capacity(),
                    )?,
                };
                let k = region.assign_advice(
                    || "distinct-key secret",
                    row.distinct_secret,
                    0,
                    || self.distinct_secret,
                )?;
                Ok((tag, Challenges { r, rho, gamma }, constants, k))
            },
        )?;
        let commitment = hash.distinct_commitment(
            layouter.namespace(|| "distinct-key commitment"),
            &constants,
            &k,
        )?;
        layouter.constrain_instance(commitment.cell(), config.instance, DISTINCT_COMMITMENT)?;

        let mut tree = BatchTree::new(self.accounts.len())?;
        let mut account_terms = Vec::with_capacity(self.accounts.len());
        let mut bucket_terms = Vec::with_capacity(self.accounts.len());
        for (j, witness) in self.accounts.iter().enumerate() {
            let cells = account.assign_account(
                layouter.namespace(|| format!("account {j}")),
                params,
                self.shape,
                &range,
                &tiers,
                &challenges,
                witness.as_ref(),
            )?;
            tree.push_leaf(hash.leaf(
                layouter.namespace(|| format!("leaf {j}")),
                &constants,
                &cells.leaf_words,
            )?);
            tree.step(&hash, layouter.namespace(|| format!("batch tree {j}")))?;
            let key = hash.distinct_key(
                layouter.namespace(|| format!("distinct key {j}")),
                &constants,
                &cells.leaf_words[0],
                &k,
            )?;
            layouter.assign_region(
                || format!("distinct key {j} bound"),
                |mut region| region.constrain_equal(key.cell(), cells.distinct_key.cell()),
            )?;
            account_terms.push(cells.account_terms);
            bucket_terms.push(cells.bucket_term);
        }
        let root = tree.finish(&hash, layouter.namespace(|| "batch tree"))?;
        layouter.constrain_instance(root.cell(), config.instance, BATCH_ROOT)?;

        // The chain entries: each per-account total, then the bucket sum, from the opened
        // value before the batch to the committed value after it.
        let mut before: Vec<Cell> = vec![tag.clone()];
        let mut after: Vec<Cell> = vec![tag];
        for (t, name) in chain_entry_names().enumerate() {
            let terms: Vec<Cell> = if t < ACCOUNT_TOTALS {
                account_terms
                    .iter()
                    .map(|c: &Vec<Option<Cell>>| c[t].clone().unwrap_or(constants.zero.clone()))
                    .collect()
            } else {
                bucket_terms.clone()
            };
            let opened = self.totals.as_ref().map(|o| o.before[t]);
            let claimed = self.totals.as_ref().map(|o| o.after[t]);
            let total =
                running.accumulate(layouter.namespace(|| name), name, opened, claimed, &terms)?;
            before.push(total.before);
            after.push(total.after);
        }
        let (blinding_before, blinding_after) = layouter.assign_region(
            || "blindings",
            |mut region| {
                let b = region.assign_advice(
                    || "before",
                    config.main.blindings.0,
                    0,
                    || self.totals.as_ref().map(|o| o.blinding_before),
                )?;
                let a = region.assign_advice(
                    || "after",
                    config.main.blindings.1,
                    0,
                    || self.totals.as_ref().map(|o| o.blinding_after),
                )?;
                Ok((b, a))
            },
        )?;
        before.push(blinding_before);
        after.push(blinding_after);
        let c_before = hash.commitment(layouter.namespace(|| "commitment before"), &before)?;
        layouter.constrain_instance(c_before.cell(), config.instance, TOTALS_BEFORE)?;
        let c_after = hash.commitment(layouter.namespace(|| "commitment after"), &after)?;
        layouter.constrain_instance(c_after.cell(), config.instance, TOTALS_AFTER)?;
        Ok(())
    }
}
