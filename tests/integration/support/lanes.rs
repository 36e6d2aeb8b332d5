//! The suite's own test runner (libtest-mimic): every test is registered by its module with
//! [`cases!`](crate::cases), in one of three lanes, and runs once per binary of that lane.
//!
//! - `full`: on the full-lane binaries (Terraform 1.15.5, OpenTofu 1.12.6);
//! - `compat`: on every binary of the matrix — the compatibility scenarios;
//! - `once`, `once_async`, `once_async_mt`: once, with no Terraform (the client, the docs, the
//!   release packaging).
//!
//! A case may need [`Capability`]s: on a binary that lacks one, it is skipped with the reason.
//! The run closes with each binary's passed, failed and skipped counts, and one plain total line.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use super::matrix::{Capability, Lane, Terraform, matrix};

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

/// Runs `case` (on `tf`, if any) and records its outcome under the binary's label.
fn run_case(case: &'static Case, tf: Option<&'static Terraform>) -> Result<Completion, Failed> {
    let label = tf.map(Terraform::label).unwrap_or_default();
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
        Err(panic) => {
            count(&label, |t| t.failed += 1);
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the test panicked".to_owned());
            Err(message.into())
        }
    }
}

/// The runner's `main`: builds one trial per case and binary, runs them, and closes with the
/// matrix summary.
pub fn main(cases: Vec<Case>) -> ExitCode {
    let args = Arguments::from_args();
    let cases: &'static [Case] = Vec::leak(cases);
    // Listing trials must not install anything.
    let listing = args.list;
    let binaries: &'static [Terraform] = if listing { &[] } else { &matrix().binaries };
    let mut trials = Vec::new();
    for case in cases {
        let name = case.name.trim_start_matches("integration::");
        match case.runs {
            Where::Once => trials.push(Trial::ignorable_test(name, move || run_case(case, None))),
            runs => {
                for tf in binaries
                    .iter()
                    .filter(|tf| runs == Where::Compat || tf.lane == Lane::Full)
                {
                    trials.push(
                        Trial::ignorable_test(name, move || run_case(case, Some(tf)))
                            .with_kind(tf.label()),
                    );
                }
            }
        }
    }
    if !listing {
        for missing in &matrix().missing {
            let label = missing.label.clone();
            let reason = missing.reason.clone();
            let fatal = missing.fatal;
            trials.push(
                Trial::ignorable_test("matrix::install", move || {
                    if fatal {
                        count(&label, |t| t.failed += 1);
                        Err(format!("{label} could not be installed:\n{reason}").into())
                    } else {
                        count(&label, |t| t.skipped += 1);
                        Ok(Completion::ignored_with(format!(
                            "{label} not installed, its lane skipped: {reason}"
                        )))
                    }
                })
                .with_kind(missing.label.clone()),
            );
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if !listing {
        summary();
    }
    conclusion.exit_code()
}

/// The closing lines: each binary with its counts, then the plain total.
// The runner's own report, on stdout like libtest's: this is the test binary, not the provider.
#[allow(clippy::print_stdout)]
fn summary() {
    let tallies = TALLIES.lock().unwrap().clone();
    let lane = |label: &str| {
        matrix()
            .binaries
            .iter()
            .find(|b| b.label() == label)
            .map(|b| b.lane)
            .or_else(|| {
                matrix()
                    .missing
                    .iter()
                    .find(|m| m.label == label)
                    .map(|m| m.lane)
            })
    };
    let mut total = Tally::default();
    let mut lines = Vec::new();
    for (label, t) in &tallies {
        let what = match (label.as_str(), lane(label)) {
            ("", _) => "without Terraform".to_owned(),
            (label, Some(Lane::Full)) => format!("{label} (full suite)"),
            (label, _) => format!("{label} (compatibility lane)"),
        };
        lines.push(format!(
            "  {what:<40} {} passed, {} failed, {} skipped",
            t.passed, t.failed, t.skipped
        ));
        total.passed += t.passed;
        total.failed += t.failed;
        total.skipped += t.skipped;
    }
    let text = format!(
        "\nmatrix summary, per binary:\n{}\nintegration: {} passed, {} failed, {} skipped\n",
        lines.join("\n"),
        total.passed,
        total.failed,
        total.skipped
    );
    print!("{text}");
    // `.ci/run` repeats it as the last lines of the whole run (doc tests run after this crate).
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("matrix-summary.txt"),
        text,
    );
}
