//! The project's one way to write a file: atomically, so that a crash or a concurrent writer
//! never leaves a half-written file under the final name.
//!
//! The bytes go to a temporary file in the same directory, `.NAME.tmp-PID-N` (mode 0600 when
//! private), created exclusively (so two writers, threads or processes on a shared file system,
//! never write the same temporary file), synced, renamed over `NAME`, and the directory is synced.
//! A crash leaves the old file, no file, or the whole new file, and perhaps a temporary file,
//! which [`is_temp_name`] recognises.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::StoreError;

/// Marks a temporary file of [`write_atomic`]: `.NAME.tmp-…`.
pub const TEMP_MARK: &str = ".tmp-";

/// A process-wide counter in temporary names, so that threads never share one.
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// How many names to try when another writer holds one (a process with the same id in another
/// container sharing the directory).
const ATTEMPTS: usize = 64;

/// Whether a file name is one of [`write_atomic`]'s temporary names (left by an interrupted run).
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARK)
}

/// Writes `bytes` to `path` atomically (see the module documentation); mode 0600 when `private`.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), StoreError> {
    write_atomic_with(path, private, &mut |file| file.write_all(bytes))
}

/// Writes `path` atomically with what `write` writes into the temporary file (buffer inside
/// `write` if it writes in small pieces, and flush the buffer before returning).
pub fn write_atomic_with(
    path: &Path,
    private: bool,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let (tmp, mut file) = (|| {
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let tmp = dir.join(format!(
                ".{name}{TEMP_MARK}{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            match options.open(&tmp) {
                Ok(file) => return Ok((tmp, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((tmp, e)),
                Err(e) => return Err(StoreError::io(&tmp, e)),
            }
        }
        let (tmp, e) = last.expect("at least one attempt");
        Err(StoreError::io(&tmp, e))
    })()?;
    let result = write(&mut file).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io(&tmp, e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io(path, e));
    }
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("marginproof-atomic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("out.json");
        write_atomic(&path, b"one", false).expect("write");
        write_atomic(&path, b"two", true).expect("write again");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A failing writer leaves the old file and no temporary file.
        let failed = write_atomic_with(&path, false, &mut |_| Err(io::Error::other("disk full")));
        assert!(matches!(failed, Err(StoreError::Io { .. })));
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let names: Vec<String> = fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["out.json"]);
        assert!(is_temp_name(".out.json.tmp-12-0") && !is_temp_name("out.json"));
        let _ = fs::remove_dir_all(&dir);
    }
}
