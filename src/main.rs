//! The `spacebridge` binary: everything lives in the library; see [`spacebridge::cli`].

#![deny(clippy::unwrap_used, clippy::expect_used)]

fn main() -> std::process::ExitCode {
    spacebridge::cli::main()
}
