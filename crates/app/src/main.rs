//! The `inspectorate` binary: see `inspectorate --help`.

fn main() -> std::process::ExitCode {
    inspectorate::cli::main()
}
