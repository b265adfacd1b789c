//! The `feedscrub` binary: parse arguments, set up logging, run the command, and turn its
//! outcome into the process exit code (0 ok, 1 some feeds failed, 2 usage/config error).

use std::process::ExitCode;

use clap::Parser;
use feedscrub::cli::Cli;
use feedscrub::commands::{self, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse(); // clap exits with 2 on bad usage, 0 for --help/--version
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feedscrub: cannot start the async runtime: {e}");
            return ExitCode::from(Exit::Failed.code());
        }
    };
    let exit = match runtime.block_on(commands::run(cli)) {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("feedscrub: {e}");
            e.exit()
        }
    };
    ExitCode::from(exit.code())
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
