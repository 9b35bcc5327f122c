//! kb: the command-line front end. Glue only: argument parsing, wiring the pipeline crates
//! together, printing, exit codes. Errors are printed once, here, as one line.

// The doc comments of the argument structs are clap's help text, read in a terminal, where a
// bare URL in an example is what the user should type.
#![allow(rustdoc::bare_urls)]

mod args;
mod cmd;
mod config;
mod log;
mod out;
mod pipeline;

use std::process::ExitCode;

use crate::args::{Cli, Command};

/// A failure that has already been reported (per-feed errors in a sync): exit 1, print nothing.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reported")
    }
}

impl std::error::Error for Reported {}

/// A mistake in the command line that only the command itself can see (`--since` after
/// `--until`): one line, as a query typed wrong is, exit 2 as clap's own usage errors.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// The command line, as clap reads it, with two Unix habits clap lacks (see
/// [`args::split_attached_values`]): `KB_INDEX=` or `KB_CONFIG=` set but empty, as crontabs
/// and unit files leave them, mean "not set" (clap took an empty `--index` from it: "a value
/// is required for '--index'", about a flag nobody passed).
fn parse_args() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(msg) = args::ambiguous_attached(&args) {
        return Err(clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            format!("{msg}\n"),
        ));
    }
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    for (arg, var) in [("index", "KB_INDEX"), ("config", "KB_CONFIG")] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            command = command.mut_arg(arg, |a| a.env(None::<&str>));
        }
    }
    let matches =
        command.try_get_matches_from(args::help_for_help(args::split_attached_values(args)))?;
    Cli::from_arg_matches(&matches)
}

/// A usage error as one line, like every other error of kb's (`kb: error: ...`, which a cron
/// wrapper greps for): clap's own spreads it over 3-5 lines starting `error:`, with a usage
/// block and a tip on lines of their own. Its words are kept, joined; a number's parse error
/// says what is expected; and the help to read is named.
fn usage_error_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let mut lines = text.lines();
    let mut line = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string();
    let mut said = Vec::new();
    let mut usage = None;
    for l in lines {
        let l = l.trim();
        if let Some(u) = l.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if l.is_empty() || l.starts_with("For more information") {
            continue;
        } else if usage.is_none() {
            said.push(l.trim_matches(|c| c == '[' || c == ']').to_string());
        }
    }
    if !said.is_empty() {
        // The values clap listed under its first line (missing arguments, possible values, a
        // tip) follow it.
        let sep = if line.ends_with("provided") {
            ": "
        } else {
            "; "
        };
        line = format!("{line}{sep}{}", said.join(", "));
    }
    let line = line
        .replace(
            "invalid digit found in string",
            "expected a whole number (0 or more)",
        )
        // clap names a repeatable flag with the dots of its usage line.
        .replace("'--verbose...'", "'--verbose'");
    // The command whose help to read: as the usage names it, or as typed.
    let command = usage
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(typed_command);
    format!("{line}; see `{command} --help`")
}

/// `kb` and the subcommands typed, as far as they name kb's subcommands.
fn typed_command() -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut path = vec!["kb".to_string()];
    for arg in std::env::args().skip(1) {
        let Some(sub) = command.find_subcommand(&arg).cloned() else {
            continue;
        };
        path.push(sub.get_name().to_string());
        command = sub;
    }
    path.join(" ")
}

/// The first panic's message, for the one line `main` prints.
static PANIC: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// A file-size limit (`ulimit -f`, how a full disk is simulated, and how some batch systems
/// cap jobs) kills a process with SIGXFSZ at its first write past it, without a word (the
/// shell's "File size limit exceeded", exit 153). Handled, the signal does nothing and the
/// write fails with EFBIG instead, which kb reports in its one line, as for a full disk.
fn survive_file_size_limits() {
    #[cfg(unix)]
    {
        let fired = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Without the handler kb still works, as before, up to a limit.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, fired);
    }
}

fn main() -> ExitCode {
    survive_file_size_limits();
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(e)
            if e.use_stderr()
                && e.kind() != clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            return usage_error(&usage_error_line(&e));
        }
        Err(e) => {
            // clap prints help/version to stdout (exit 0), and help on stderr for a bare
            // `kb` or `kb feed` (exit 2). Help that could not be written (`kb --help >
            // /dev/full`) is a failure, as any other output kb cannot write.
            let printed = e
                .print()
                .and_then(|()| std::io::Write::flush(&mut std::io::stdout()));
            if let (Err(why), false) = (printed, e.use_stderr()) {
                eprintln!("kb: error: cannot write to standard output: {why}");
                return ExitCode::FAILURE;
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Tantivy trusts its own files in places and can panic on damaged ones: the user gets one
    // line and a way out (exit 1), never a backtrace. The hook only records the message, so
    // a panic that tantivy catches in its own threads prints nothing.
    std::panic::set_hook(Box::new(|info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| {
                format!(
                    " at {}:{}",
                    l.file().rsplit("/src/").next().unwrap_or(""),
                    l.line()
                )
            })
            .unwrap_or_default();
        let _ = PANIC.set(format!("{}{at}", msg.replace('\n', " ")));
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli)));
    let Ok(result) = result else {
        eprintln!(
            "kb: error: internal error ({}), the knowledge base may be damaged: run `kb doctor` to check it",
            out::safe(PANIC.get().map_or("", |s| s.as_str()), false)
        );
        return ExitCode::FAILURE;
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if err.downcast_ref::<Reported>().is_some() {
                return ExitCode::FAILURE;
            }
            // A sync stopped by a signal, after committing what it had: the shell's 128 + N.
            if let Some(stop) = err.downcast_ref::<cmd::sync::Interrupted>() {
                eprintln!("kb: {stop}");
                return ExitCode::from(u8::try_from(128 + stop.0).unwrap_or(1));
            }
            // Not clap's error: that prints the usage of `kb` itself, not of the command, under
            // a message without the `kb:` every other error line starts with.
            if let Some(Usage(msg)) = err.downcast_ref::<Usage>() {
                return usage_error(msg);
            }
            // `kb search x | head` closes the pipe early: that is the reader's choice, not a failure.
            // (`kb sync` never gets here with one: it must commit first, so it keeps going and
            // decides its exit status itself.)
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "kb: error: {}",
                out::safe(
                    &short_words(&kb_fetch::redact_credentials(&format!("{err:#}"))),
                    false
                )
            );
            // A query typed wrong is the user's mistake, as a bad option value is: exit 2, so a
            // script can tell it from a failure of kb. Its one line already names the problem
            // and its column, which clap's usage block would only bury.
            let usage = err.chain().any(|cause| {
                cause
                    .downcast_ref::<kb_store::StoreError>()
                    .is_some_and(kb_store::StoreError::is_usage)
            });
            if usage {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A usage error, clap's or a command's: its one line, exit 2. Cut and made safe as any error
/// line is (clap's echoes the value it refused, which may be a pasted page).
fn usage_error(msg: &str) -> ExitCode {
    eprintln!("kb: error: {}", out::safe(&short_words(msg), false));
    ExitCode::from(2)
}

/// The longest word an error line shows whole, in characters.
const LONGEST_WORD: usize = 200;

/// `msg` with every word (a run without whitespace) longer than [`LONGEST_WORD`] cut there,
/// with an ellipsis and the word's closing punctuation (`"…":`): an error that echoes what it
/// was given (`kb show` with a 100 000-character argument, a query) printed all of it on its
/// one line.
fn short_words(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(4096));
    for piece in msg.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        match word.char_indices().nth(LONGEST_WORD) {
            Some((cut, _)) => {
                let closing = word.len()
                    - word
                        .chars()
                        .rev()
                        .take(3)
                        .take_while(|c| !c.is_alphanumeric())
                        .map(char::len_utf8)
                        .sum::<usize>();
                out.push_str(&word[..cut]);
                out.push('…');
                out.push_str(&word[closing.max(cut)..]);
                out.push_str(&piece[word.len()..]);
            }
            None => out.push_str(piece),
        }
    }
    out
}

fn run(cli: Cli) -> anyhow::Result<()> {
    log::init(cli.verbose);
    // Neither a config nor a knowledge base: only the command line's own shape.
    if let Command::Completions(a) = &cli.command {
        return cmd::completions::run(&out::Out::new(cli.quiet), a.shell);
    }
    let config = config::Config::for_command(&cli)?;
    let index = cli.index.clone().unwrap_or_else(|| config.default_index());
    // A file where the KB directory should be made each command give its own, circular advice
    // ("Not a directory; run kb doctor", "run kb sync first", "File exists"). `kb parse` never
    // touches the KB, so it need not care.
    if !matches!(cli.command, Command::Parse(_))
        && std::fs::metadata(&index).is_ok_and(|m| !m.is_dir())
    {
        let what = if cli.index.is_some() {
            "--index"
        } else {
            "the knowledge base directory"
        };
        anyhow::bail!(
            "{what} {} is a file, not a directory: give a directory (or remove the file)",
            index.display()
        );
    }
    // Nor a link to a disk that is not mounted: `File exists` from a sync, "run kb sync first"
    // from the others. kb makes nothing at the other end (on an unmounted disk's mount point
    // that would fill the wrong disk), and says where the link leads.
    if !matches!(cli.command, Command::Parse(_))
        && let Some(missing) = dangling_link(&index)
    {
        let what = if cli.index.is_some() {
            "--index"
        } else {
            "the knowledge base directory"
        };
        anyhow::bail!(
            "{what} {} is a symbolic link to {}, which does not exist: mount the disk it is on, or fix the link",
            index.display(),
            missing.display()
        );
    }
    let ctx = cmd::Ctx {
        config,
        index,
        out: out::Out::new(cli.quiet),
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Sync(a) => cmd::sync::run(&ctx, a),
        Command::Feed(a) => cmd::feed::run(&ctx, a),
        Command::Search(a) => cmd::search::run(&ctx, a),
        Command::Related(a) => cmd::related::run(&ctx, a),
        Command::Show(a) => cmd::show::run(&ctx, a),
        Command::List(a) => cmd::list::run(&ctx, a),
        Command::Export(a) => cmd::export::run(&ctx, a),
        Command::Categories(a) => cmd::facets::categories(&ctx, a.json),
        Command::Authors(a) => cmd::facets::authors(&ctx, a.json),
        Command::Parse(a) => cmd::parse::run(&ctx, a),
        Command::Reindex(a) => cmd::reindex::run(&ctx, a),
        Command::Doctor(a) => cmd::doctor::run(&ctx, a),
        Command::Completions(a) => cmd::completions::run(&ctx.out, a.shell),
    }
}

/// Where the symbolic link `path` leads, through any further links, when that does not exist;
/// None when `path` is no link or leads somewhere.
fn dangling_link(path: &std::path::Path) -> Option<std::path::PathBuf> {
    let is_link = |p: &std::path::Path| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
    };
    if !is_link(path) || std::fs::metadata(path).is_ok() {
        return None;
    }
    let mut at = path.to_path_buf();
    // Linux gives up after 40 links; a cycle names where kb stopped.
    for _ in 0..40 {
        if !is_link(&at) {
            break;
        }
        let to = std::fs::read_link(&at).ok()?;
        // A relative link is relative to the directory holding it.
        at = match at.parent() {
            Some(dir) => dir.join(to),
            None => to,
        };
    }
    Some(at)
}

/// `kb search x | head` closes the pipe early: that is the reader's choice, not a failure. The
/// io error may sit anywhere in the chain, also inside a serde_json error.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
