//! Prints the report of a command line given on stdin (a development aid).
use std::io::Read;
fn main() {
    let mut line = String::new();
    let _ = std::io::stdin().read_to_string(&mut line);
    match shared::vic_machine::validate_command_line(&line, None) {
        Ok(r) => {
            for f in &r.findings {
                println!("{f}  [{}]", f.path);
            }
            println!("valid: {}", r.is_valid());
        }
        Err(e) => println!("error: {e}"),
    }
}
