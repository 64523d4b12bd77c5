//! One module per subcommand.

pub mod bench;
mod bench_table;
pub mod demo;
pub mod generate;
pub mod inclusion;
pub mod prove;
pub mod report;
pub mod reserves;
pub mod shard;
pub mod verify;
pub mod verify_history;
pub mod verify_inclusion;
