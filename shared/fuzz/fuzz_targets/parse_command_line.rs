//! Any byte string, read as a pasted command line, must parse or fail cleanly, and whatever parses
//! must validate and regenerate without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::vic_machine::{Os, generate, parse_command_line};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse_command_line(line) {
        let _ = shared::validate(&parsed.config, None);
        let _ = generate(&parsed.config, Os::Linux);
        let _ = generate(&parsed.config, Os::Windows);
    }
});
