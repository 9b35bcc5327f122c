//! `kb completions SHELL`: a shell's completion script, made by clap_complete from the very
//! definition the command line is parsed by, so it never falls behind a new option. Needs no
//! config and no knowledge base.

use anyhow::Result;
use clap::CommandFactory;

use crate::out::Out;

pub fn run(out: &Out, shell: clap_complete::Shell) -> Result<()> {
    // Made in memory first: clap_complete panics on a failed write, and a full disk or a
    // closed pipe must end as any other output kb cannot write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::args::Cli::command(), "kb", &mut script);
    out.text(&String::from_utf8_lossy(&script))
}
