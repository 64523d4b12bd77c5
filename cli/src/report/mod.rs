//! The auditor's HTML report (SPEC §11): page layout ([`html`]) and its charts ([`charts`]).

pub mod charts;
pub mod html;
