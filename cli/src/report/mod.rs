//! Reports: the auditor's HTML report (SPEC §11: page layout in [`html`], charts in [`charts`]) and
//! the text reports of `verify` and `verify-inclusion` ([`text`]), the account health of
//! `verify-inclusion` and `verify-history` ([`health`]).

pub mod charts;
pub mod escape;
pub mod health;
pub mod html;
pub mod reserves;
pub mod text;
