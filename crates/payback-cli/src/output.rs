//! Where output goes: stdout, or a file written atomically.
//!
//! A file is written to a temporary file in the same directory and renamed over the target
//! only once it is complete, so a reader (Excel, a notebook) never sees half a file and a
//! failed run leaves the previous file as it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::CommandError;

/// Write to stdout through a buffer; a broken pipe comes back as an error the exit policy
/// treats as a normal end.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CommandError> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Write `path` atomically: into a temporary file beside it, then rename.
pub fn to_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CommandError> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = path.file_name() else {
        return Err(CommandError::usage(format!("`{shown}` is not a file name")));
    };
    if path.is_dir() {
        return Err(CommandError::usage(format!("`{shown}` is a directory")));
    }
    let (tmp_path, file) = create_temp(&dir, &name.to_string_lossy()).map_err(|e| {
        let missing = matches!(
            e.kind(),
            io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied
        );
        let err = CommandError::io(format!("cannot create a file in `{}`", dir.display()), e);
        // A directory that does not exist or is not writable is the user's to fix.
        if missing { err.into_usage() } else { err }
    })?;
    let result = (|| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&tmp_path, path)
    })();
    if let Err(e) = result {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&tmp_path);
        return Err(CommandError::io(format!("cannot write `{shown}`"), e));
    }
    Ok(())
}

/// A new file `.{name}.{pid}.{n}.tmp` in `dir` that did not exist before.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let p = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        fs::write(&target, "old").unwrap();
        to_file_atomically(&target, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let failed = to_file_atomically(&target, |_: &mut dyn Write| Err(io::Error::other("boom")));
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
