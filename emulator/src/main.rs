//! Runs the Infisical emulator as a process.

fn main() {}
