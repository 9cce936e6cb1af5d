//! Serves the built wizard; unknown paths get `index.html` so client-side routes survive a reload.

use std::path::Path;

use tower_http::services::{ServeDir, ServeFile};

pub fn service(ui_dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(ui_dir)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(ui_dir.join("index.html")))
}
