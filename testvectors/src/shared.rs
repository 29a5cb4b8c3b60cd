//! Locating `../shared` (the RFC texts and the corpora) from tests.
//!
//! The default is `../shared` beside the workspace root; `SANSIO_SHARED` overrides it. A test
//! that needs a file which is missing gets `None` after a loud message on stderr, so a fresh
//! clone without `../shared` still passes; when `CI` is set, a missing file fails the test, since
//! CI always has them.

use std::path::PathBuf;

/// The shared directory: `$SANSIO_SHARED`, or `../shared` beside the workspace root.
pub fn dir() -> PathBuf {
    match std::env::var_os("SANSIO_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

/// `relative` inside the shared directory, if it exists (see the module doc for what happens
/// when it does not).
pub fn path(relative: &str) -> Option<PathBuf> {
    let path = dir().join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "SKIPPED: {} not found (set SANSIO_SHARED to the shared directory)",
        path.display()
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI must have it"
    );
    eprintln!("{message}");
    None
}

/// The text of an RFC from `rfc/`, e.g. `rfc_text("rfc9000")`.
pub fn rfc_text(name: &str) -> Option<String> {
    let path = path(&format!("rfc/{name}.txt"))?;
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// A corpus directory or file under `corpora/`, e.g. `corpus("hpack-test-case")`.
pub fn corpus(relative: &str) -> Option<PathBuf> {
    path(&format!("corpora/{relative}"))
}
