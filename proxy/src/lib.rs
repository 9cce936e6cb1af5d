//! vch proxy library.
