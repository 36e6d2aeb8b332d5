//! The suite's own test runner (libtest-mimic): every test is registered by its module with
//! [`cases!`](crate::cases), in one of three lanes, and runs once per binary of that lane.
//!
//! - `full`: on the full-lane binaries (Terraform 1.15.5, OpenTofu 1.12.6);
//! - `compat`: on every binary of the matrix — the compatibility scenarios;
//! - `once`, `once_async`, `once_async_mt`: once, with no Terraform (the client, the docs, the
//!   release packaging).
//!
//! A case may need [`Capability`]s: on a binary that lacks one, it is skipped with the reason.
//! A run installs only the binaries its selected trials run on (a filter after `--` selects).
//! A binary that cannot be installed fails each of its cases under CI, and elsewhere (OpenTofu
//! without Go) skips each with the reason, so the counts say how much did not run.
//! The run closes with each binary's passed, failed and skipped counts, and one plain total line.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use super::matrix::{Capability, Entry, Lane, Terraform, matrix};

/// Where a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// Every full-lane binary.
    Full,
    /// Every binary.
    Compat,
    /// Once, without Terraform.
    Once,
}

/// One registered test.
pub struct Case {
    /// `module::function`.
    pub name: &'static str,
    /// Where it runs.
    pub runs: Where,
    /// What it needs of the binary.
    pub needs: &'static [Capability],
    /// What the binary must not have: the case tests how a binary without it is served.
    pub without: &'static [Capability],
    /// The test.
    pub test: fn(),
}

/// Registers a module's tests:
/// `cases! { full: [a, b], compat: [c needs(WriteOnly), e without(WriteOnly)], once: [d] }`.
/// The lanes are `full`, `compat`, `once` (plain functions) and `once_async`, `once_async_mt`
/// (async functions, on a current-thread or a two-worker runtime). A test function that is
/// written but not listed is dead code, which the lints refuse.
#[macro_export]
macro_rules! cases {
    ($($lane:ident: [$($name:ident $(needs($($cap:ident),+))? $(without($($not:ident),+))?),* $(,)?]),* $(,)?) => {
        /// This module's tests, for the runner.
        pub(crate) fn cases() -> Vec<$crate::support::lanes::Case> {
            vec![$($($crate::support::lanes::Case {
                name: concat!(module_path!(), "::", stringify!($name)),
                runs: $crate::cases!(@where $lane),
                needs: &[$($($crate::support::matrix::Capability::$cap),+)?],
                without: &[$($($crate::support::matrix::Capability::$not),+)?],
                test: $crate::cases!(@fn $lane $name),
            }),*),*]
        }
    };
    (@where full) => { $crate::support::lanes::Where::Full };
    (@where compat) => { $crate::support::lanes::Where::Compat };
    (@where $once:ident) => { $crate::support::lanes::Where::Once };
    (@fn once_async $name:ident) => { || $crate::support::lanes::block_on($name(), false) };
    (@fn once_async_mt $name:ident) => { || $crate::support::lanes::block_on($name(), true) };
    (@fn $lane:ident $name:ident) => { $name };
}

/// Runs an async test to completion, as `#[tokio::test]` would (`multi`: two workers).
pub fn block_on<F: std::future::Future<Output = ()>>(future: F, multi: bool) {
    let mut builder = if multi {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().unwrap().block_on(future)
}

thread_local! {
    static CURRENT: Cell<Option<&'static Terraform>> = const { Cell::new(None) };
}

/// The binary the running case was started for; outside a matrix case, Terraform 1.15.5.
pub fn current() -> &'static Terraform {
    CURRENT
        .with(Cell::get)
        .unwrap_or_else(super::matrix::primary)
}

/// Counts per binary label ("" for the cases that run once).
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: u64,
    failed: u64,
    skipped: u64,
}

static TALLIES: Mutex<BTreeMap<String, Tally>> = Mutex::new(BTreeMap::new());

fn count(label: &str, update: impl FnOnce(&mut Tally)) {
    update(TALLIES.lock().unwrap().entry(label.to_owned()).or_default());
}

/// Why a case does not run on a binary of its lane.
#[derive(Debug, Clone, Copy)]
pub enum Skip {
    /// The binary lacks a capability the case needs.
    Lacks(Capability),
    /// The binary has a capability the case is for binaries without.
    Has(Capability),
}

/// Whether `tf` skips `case`, asking the binary what it can do.
pub fn skipped(case: &Case, tf: &Terraform) -> Option<Skip> {
    if let Some(missing) = tf.lacks(case.needs) {
        return Some(Skip::Lacks(missing));
    }
    case.without
        .iter()
        .copied()
        .find(|c| tf.has(*c))
        .map(Skip::Has)
}

/// What a test unwinds with to be ignored, with its reason ([`ignore`]).
struct Ignored(String);

/// Ends the running test as ignored with `reason`, as libtest-mimic's `Completion::ignored_with`
/// does: for a test that cannot run here (say, the binary it needs is not installed), which
/// must not count as passed.
pub fn ignore(reason: String) -> ! {
    // `resume_unwind`, not `panic!`: no panic message, and `run_case` tells it apart.
    std::panic::resume_unwind(Box::new(Ignored(reason)))
}

/// Runs `case` (on the binary of `entry`, if any) and records its outcome under the binary's
/// label.
fn run_case(case: &'static Case, entry: Option<&'static Entry>) -> Result<Completion, Failed> {
    let label = entry.map(Entry::label).unwrap_or_default();
    let tf = match entry.map(Entry::get) {
        None => None,
        Some(Ok(tf)) => Some(tf),
        Some(Err(missing)) if missing.fatal => {
            count(&label, |t| t.failed += 1);
            return Err(format!("{label} could not be installed:\n{}", missing.reason).into());
        }
        Some(Err(missing)) => {
            count(&label, |t| t.skipped += 1);
            return Ok(Completion::ignored_with(format!(
                "{label} is not installed: {}",
                missing.why()
            )));
        }
    };
    if let Some(skip) = tf.and_then(|tf| skipped(case, tf)) {
        count(&label, |t| t.skipped += 1);
        return Ok(Completion::ignored_with(match skip {
            Skip::Lacks(missing) => missing.missing().to_owned(),
            Skip::Has(present) => {
                format!("for binaries without it, and this one has it: {present:?}")
            }
        }));
    }
    CURRENT.with(|c| c.set(tf));
    let outcome = catch_unwind(AssertUnwindSafe(case.test));
    CURRENT.with(|c| c.set(None));
    match outcome {
        Ok(()) => {
            count(&label, |t| t.passed += 1);
            Ok(Completion::Completed)
        }
        Err(unwound) => match unwound.downcast::<Ignored>() {
            Ok(ignored) => {
                count(&label, |t| t.skipped += 1);
                Ok(Completion::ignored_with(ignored.0))
            }
            Err(panic) => {
                count(&label, |t| t.failed += 1);
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "the test panicked".to_owned());
                Err(message.into())
            }
        },
    }
}

/// The runner's `main`: builds one trial per case and binary, installs the binaries that the
/// trials selected to run need (and no other), runs them, and closes with the matrix summary.
pub fn main(cases: Vec<Case>) -> ExitCode {
    let args = Arguments::from_args();
    let cases: &'static [Case] = Vec::leak(cases);
    let matrix = matrix();
    let mut trials = Vec::new();
    // Per entry of the matrix: whether a selected trial runs on it, and how many trials the
    // filter selected on it that TFPI_MATRIX excluded.
    let mut needed = vec![false; matrix.entries.len()];
    let mut excluded = vec![0_u64; matrix.entries.len()];
    for case in cases {
        let name = case.name.trim_start_matches("integration::");
        match case.runs {
            Where::Once => trials.push(Trial::ignorable_test(name, move || run_case(case, None))),
            runs => {
                for (i, entry) in matrix.entries.iter().enumerate() {
                    if runs == Where::Full && entry.lane != Lane::Full {
                        continue;
                    }
                    let trial = Trial::ignorable_test(name, move || run_case(case, Some(entry)))
                        .with_kind(entry.label());
                    let selected = !args.is_filtered_out(&trial);
                    if !entry.selected {
                        excluded[i] += u64::from(selected);
                        continue;
                    }
                    needed[i] |= selected;
                    trials.push(trial);
                }
            }
        }
    }
    // Listing trials must not install anything; a run installs, in parallel, what it runs on.
    if !args.list {
        matrix.install(
            matrix
                .entries
                .iter()
                .zip(&needed)
                .filter(|(_, needed)| **needed)
                .map(|(entry, _)| entry),
        );
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        summary(&excluded);
    }
    conclusion.exit_code()
}

/// The closing lines: each binary with its counts (a binary that could not be installed counts
/// every case that did not run on it), those TFPI_MATRIX excluded, then the plain total.
// The runner's own report, on stdout like libtest's: this is the test binary, not the provider.
#[allow(clippy::print_stdout)]
fn summary(excluded: &[u64]) {
    let tallies = TALLIES.lock().unwrap().clone();
    let entries = &matrix().entries;
    let lane = |label: &str| entries.iter().find(|e| e.label() == label).map(|e| e.lane);
    let what = |label: &str| match (label, lane(label)) {
        ("", _) => "without Terraform".to_owned(),
        (label, Some(Lane::Full)) => format!("{label} (full suite)"),
        (label, _) => format!("{label} (compatibility lane)"),
    };
    let mut total = Tally::default();
    let mut lines = Vec::new();
    for (label, t) in &tallies {
        let mut line = format!(
            "  {:<40} {} passed, {} failed, {} skipped",
            what(label),
            t.passed,
            t.failed,
            t.skipped
        );
        if let Some(Err(missing)) = entries
            .iter()
            .find(|e| e.label() == *label)
            .and_then(|e| e.selected.then(|| e.get()))
        {
            line.push_str(&format!(" (not installed: {})", missing.why()));
        }
        lines.push(line);
        total.passed += t.passed;
        total.failed += t.failed;
        total.skipped += t.skipped;
    }
    let mut not_selected = 0;
    for (entry, n) in entries.iter().zip(excluded).filter(|(_, n)| **n > 0) {
        lines.push(format!(
            "  {:<40} {n} not run: not selected by TFPI_MATRIX",
            what(&entry.label())
        ));
        not_selected += n;
    }
    let mut text = format!(
        "\nmatrix summary, per binary:\n{}\nintegration: {} passed, {} failed, {} skipped",
        lines.join("\n"),
        total.passed,
        total.failed,
        total.skipped
    );
    if not_selected > 0 {
        text.push_str(&format!(", {not_selected} not selected by TFPI_MATRIX"));
    }
    text.push('\n');
    print!("{text}");
    // `.ci/run` repeats it as the last lines of the whole run (doc tests run after this crate).
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("matrix-summary.txt"),
        text,
    );
}
