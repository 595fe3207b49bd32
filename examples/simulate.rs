//! Sagascope's native runner: prints a scenario's trace as JSON lines, then one JSON summary.
//!
//! Run `cargo run --release --example simulate -- --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = sagascope::runner::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
