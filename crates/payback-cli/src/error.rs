//! The one place where a command's failure becomes an exit code (style rule 11).
//!
//! Every command returns `Result<(), CommandError>`. [`exit_code`] maps the result: 0 for
//! success, 1 when the run worked but its check failed (ripgrep's "no match"), 2 for bad input
//! or usage, 255 for an internal error (as jj does). A broken pipe on
//! stdout (`payback run | head`) is a normal end: nothing is printed and the code is 0, as in
//! ripgrep.

use std::fmt;
use std::io::{self, Write as _};
use std::process::ExitCode;

/// What kind of failure it was; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The input files are wrong (syntax, unknown keys, values out of range, missing files).
    Input,
    /// The command line is wrong (unknown target, file exists without `--force`).
    Usage,
    /// A bug or an environment failure (cannot write the output).
    Internal,
    /// The run worked but its check failed (a goal seek with no solution): exit 1, like
    /// ripgrep's "no match".
    CheckFailed,
}

/// A command's failure: a message for the user, hints, and the kind.
#[derive(Debug)]
pub struct CommandError {
    /// Decides the exit code.
    pub kind: Kind,
    /// Printed after `error: `; already-rendered diagnostics are printed as they are.
    pub message: Message,
    /// Printed as `hint: ...` lines.
    pub hints: Vec<String>,
    /// The I/O error behind it, if any (a broken pipe ends quietly).
    pub io: Option<io::Error>,
}

/// How the error is shown.
#[derive(Debug)]
pub enum Message {
    /// One line, printed as `error: {line}`.
    Line(String),
    /// Diagnostics rendered with source excerpts, printed as they are.
    Rendered(String),
}

impl CommandError {
    fn new(kind: Kind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: Message::Line(message.into()),
            hints: Vec::new(),
            io: None,
        }
    }

    /// Bad input files.
    pub fn input(message: impl Into<String>) -> CommandError {
        CommandError::new(Kind::Input, message)
    }

    /// A bad command line.
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError::new(Kind::Usage, message)
    }

    /// A bug or a failure of the environment.
    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError::new(Kind::Internal, message)
    }

    /// The run worked but the check failed (exit 1).
    pub fn check_failed(message: impl Into<String>) -> CommandError {
        CommandError::new(Kind::CheckFailed, message)
    }

    /// Input diagnostics, already rendered.
    pub fn rendered(text: String) -> CommandError {
        CommandError {
            kind: Kind::Input,
            message: Message::Rendered(text),
            hints: Vec::new(),
            io: None,
        }
    }

    /// Add a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hints.push(hint.into());
        self
    }

    /// An I/O failure while doing `what`.
    pub fn io(what: impl fmt::Display, err: io::Error) -> CommandError {
        let mut e = CommandError::new(Kind::Internal, format!("{what}: {err}"));
        e.io = Some(err);
        e
    }

    /// The same error, reported as a usage error (exit 2).
    pub fn into_usage(mut self) -> CommandError {
        self.kind = Kind::Usage;
        self
    }

    fn is_broken_pipe(&self) -> bool {
        self.io
            .as_ref()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for CommandError {
    fn from(err: io::Error) -> CommandError {
        CommandError::io("cannot write the output", err)
    }
}

/// The exit code for a command's result, after printing the error (if any) to stderr.
pub fn exit_code(result: Result<(), CommandError>) -> ExitCode {
    let err = match result {
        Ok(()) => return ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => return ExitCode::SUCCESS,
        Err(e) => e,
    };
    let mut stderr = io::stderr().lock();
    // If stderr itself is gone there is nobody left to tell.
    let _ = match &err.message {
        Message::Line(line) => writeln!(stderr, "error: {line}"),
        Message::Rendered(text) => write!(stderr, "{text}"),
    };
    for h in &err.hints {
        let _ = writeln!(stderr, "  hint: {h}");
    }
    ExitCode::from(match err.kind {
        Kind::Input | Kind::Usage => 2,
        Kind::Internal => 255,
        Kind::CheckFailed => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_success() {
        let e = CommandError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert_eq!(exit_code(Err(e)), ExitCode::SUCCESS);
    }
}
