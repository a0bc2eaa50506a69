//! The `spacebridge` binary: everything lives in the library; see [`spacebridge::cli`].

fn main() -> std::process::ExitCode {
    spacebridge::cli::main()
}
