//! One module per subcommand, each with its clap `Args` and a `run(args, ctx)` function.

pub mod evidence;
pub mod explain;
pub mod init;
pub mod portfolio;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod sensitivity;
pub mod simulate;
pub mod solve;
