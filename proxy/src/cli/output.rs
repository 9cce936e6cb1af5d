//! Writing results to stdout without dying when the reader goes away (`vch … | head`).

use std::io::{ErrorKind, Write};

/// Writes `text` to stdout; a closed pipe just ends the output.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() != ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

/// [`emit`] with a trailing newline.
pub fn emit_line(text: &str) -> anyhow::Result<()> {
    emit(&format!("{text}\n"))
}
