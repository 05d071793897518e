//! The `devlife` command: a thin layer that parses arguments and glues the
//! libraries together (`devlife-kunit` runs files, `devlife-report` explains).

use clap::{Parser, Subcommand};
use devlife_kunit::ktap::{render, Status};
use devlife_kunit::{Filter, Limits, LoadError};
use devlife_model::Profile;
use std::io::Write;
use std::process::ExitCode;

mod parallel;

/// Knows when a Linux device's resources are released.
#[derive(Parser)]
#[command(name = "devlife", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The bounds on a run, each raised by its flag.
#[derive(clap::Args)]
struct LimitArgs {
    /// Give up after this many evaluation steps.
    #[arg(long, default_value_t = Limits::default().steps)]
    max_steps: u64,
    /// Give up after this many nested C calls.
    #[arg(long, default_value_t = Limits::default().depth)]
    max_depth: u32,
    /// Give up after this many allocations.
    #[arg(long, default_value_t = Limits::default().allocations)]
    max_allocations: u64,
    /// Give up after printing this many bytes.
    #[arg(long, default_value_t = Limits::default().output)]
    max_output: u64,
    /// Give up after this many releases and callbacks nested in one another.
    #[arg(long, default_value_t = Limits::default().nesting)]
    max_nesting: u32,
}

impl From<LimitArgs> for Limits {
    fn from(a: LimitArgs) -> Self {
        Limits {
            steps: a.max_steps,
            depth: a.max_depth,
            allocations: a.max_allocations,
            output: a.max_output,
            nesting: a.max_nesting,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run KUnit test files written in C and print KTAP, as the kernel would.
    Run {
        /// The kernel version to model: v6.1 or v6.12.
        #[arg(long, default_value = "v6.12", value_parser = parse_profile)]
        kernel: Profile,
        /// kunit.py's filter: SUITE_GLOB[.CASE_GLOB].
        #[arg(long)]
        filter: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
        /// The C files.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Run a KUnit test file and explain what happened: the refcount table per
    /// statement, who holds each reference, leaks as the cycles that keep them
    /// alive, use-after-frees with their sites.
    Explain {
        /// The kernel version to model: v6.1 or v6.12.
        #[arg(long, default_value = "v6.12", value_parser = parse_profile)]
        kernel: Profile,
        /// Only this case: SUITE.CASE (globs allowed).
        #[arg(long)]
        case: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Show at most this many objects as table columns (those alive at
        /// the end first, then the earliest created).
        #[arg(long, default_value_t = devlife_report::DEFAULT_MAX_COLUMNS)]
        max_columns: usize,
        /// Show at most this many table rows (the rest are counted).
        #[arg(long, default_value_t = devlife_report::DEFAULT_MAX_ROWS)]
        max_rows: usize,
        #[command(flatten)]
        limits: LimitArgs,
        /// The C file.
        file: String,
    },
}

/// Formats of `devlife explain`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// A terminal table and the explanations.
    Text,
    /// A stable JSON document.
    Json,
    /// The reference graph at case end, for Graphviz.
    Dot,
    /// One self-contained HTML page.
    Html,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::by_name(s).ok_or_else(|| format!("unknown kernel '{s}': use v6.1 or v6.12"))
}

/// Exit status for bad input or usage.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            kernel,
            filter,
            limits,
            files,
        } => run(kernel, filter.as_deref(), limits.into(), &files),
        Command::Explain {
            kernel,
            case,
            format,
            max_columns,
            max_rows,
            limits,
            file,
        } => explain(
            kernel,
            case.as_deref(),
            format,
            TableBounds {
                columns: max_columns,
                rows: max_rows,
            },
            limits.into(),
            &file,
        ),
    }
}

/// Reads and runs one file; on bad input, the lines to print on stderr.
fn load_and_run(
    profile: Profile,
    filter: Option<&str>,
    limits: Limits,
    path: &str,
) -> Result<devlife_kunit::Run, Vec<String>> {
    let filter = Filter::parse(filter).map_err(|e| vec![format!("devlife: bad filter: {e}")])?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("devlife: cannot read {path}: {e}")])?;
    devlife_kunit::run_file(path, &text, profile, &filter, limits).map_err(|e| match e {
        LoadError::Diagnostics(diags) => diags,
        LoadError::NoSuite => vec![format!(
            "devlife: {path}: no KUnit suite (kunit_test_suite(...)) in this file"
        )],
    })
}

/// Writes `text` to stdout. A reader that stopped early (`| head`) is not
/// an error: the rest is dropped quietly, the verdict stands. Any other
/// failure to write gives the bad-input status with a message.
fn print_stdout(text: &str) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("devlife: cannot write the output: {e}");
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

/// Prints `lines` on stderr and gives the bad-input exit status.
fn bad_input(lines: &[String]) -> ExitCode {
    for l in lines {
        eprintln!("{l}");
    }
    ExitCode::from(BAD_INPUT)
}

/// One warning per API the file used that is newer than the modelled kernel.
fn anachronisms(path: &str, kernel: &devlife_model::Kernel) -> Vec<String> {
    let mut warnings = Vec::new();
    for e in kernel.log.events() {
        if let devlife_model::EventKind::Anachronism { api, since } = &e.kind {
            warnings.push(format!(
                "devlife: warning: {path} uses {api}(), added in {since}; --kernel {} predates it (modelled as in {since})",
                kernel.profile.name()
            ));
        }
    }
    warnings
}

/// How large `devlife explain` lets a refcount table grow.
struct TableBounds {
    columns: usize,
    rows: usize,
}

fn explain(
    profile: Profile,
    case: Option<&str>,
    format: Format,
    bounds: TableBounds,
    limits: Limits,
    path: &str,
) -> ExitCode {
    let run = match load_and_run(profile, case, limits, path) {
        Ok(run) => run,
        Err(lines) => return bad_input(&lines),
    };
    let files = run.files.clone();
    let namer = move |s: devlife_model::Site| {
        let file = files
            .get(usize::from(s.file))
            .map_or("<unknown>", String::as_str);
        if s.line == 0 {
            file.to_string()
        } else {
            format!("{file}:{}:{}", s.line, s.column)
        }
    };
    let cases: Vec<devlife_report::CaseRun<'_>> = run
        .results
        .cases
        .iter()
        .map(|c| {
            let mut r = case_run(&run.kernel, c, &namer);
            r.max_columns = bounds.columns;
            r.max_rows = bounds.rows;
            r
        })
        .collect();
    let explanation = devlife_report::explain(&cases);
    let out = match format {
        Format::Text => devlife_report::text::render(&explanation),
        Format::Json => devlife_report::json::render(&explanation),
        Format::Dot => devlife_report::dot::render(&explanation),
        Format::Html => devlife_report::html::render(&explanation),
    };
    if let Err(code) = print_stdout(&out) {
        return code;
    }
    ExitCode::SUCCESS
}

/// The report's view of one case the runner recorded.
fn case_run<'a>(
    kernel: &'a devlife_model::Kernel,
    c: &devlife_kunit::CaseRecord,
    namer: &'a dyn Fn(devlife_model::Site) -> String,
) -> devlife_report::CaseRun<'a> {
    let mut r =
        devlife_report::CaseRun::new(kernel, c.suite.clone(), c.case.clone(), c.first_event);
    r.status = match c.status {
        Status::Pass => devlife_report::Status::Pass,
        Status::Fail => devlife_report::Status::Fail,
        Status::Skip(_) => devlife_report::Status::Skip,
    };
    r.end_event = c.end_event;
    r.steps = c.steps.clone();
    r.site_name = namer;
    r.host_faults = c
        .mem_faults
        .iter()
        .map(|f| devlife_report::HostFault {
            kind: f.kind,
            site: f.site,
            event: f.event,
        })
        .collect();
    r
}

fn run(profile: Profile, filter: Option<&str>, limits: Limits, files: &[String]) -> ExitCode {
    // Files are independent (each runs on its own modelled kernel), so they
    // run in parallel; what they print is printed afterwards in file order,
    // exactly as a run one file after another would print it.
    let size = |path: &String| std::fs::metadata(path).map_or(0, |m| m.len());
    let outcomes = parallel::map_in_order(files, size, |path| {
        load_and_run(profile, filter, limits, path).map(|run| {
            let warnings = anachronisms(path, &run.kernel);
            // The process ends once the results are printed: freeing a
            // model with millions of events, or the compiled program,
            // would only cost time.
            std::mem::forget(run.kernel);
            std::mem::forget(run.interp);
            (warnings, run.results.suites)
        })
    });
    let mut suites = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok((warnings, file_suites)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                suites.extend(file_suites);
            }
            Err(lines) => return bad_input(&lines),
        }
    }
    if let Err(code) = print_stdout(&render(&suites)) {
        return code;
    }
    let cases = suites.iter().flat_map(|s| &s.cases);
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for c in cases {
        match c.status {
            Status::Pass => passed += 1,
            Status::Fail => failed += 1,
            Status::Skip(_) => skipped += 1,
        }
    }
    let init_failed = suites.iter().any(|s| s.init_failed);
    eprintln!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 || init_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
