//! Repository hygiene checked by `cargo test`: every rule code `shared` emits is documented and has
//! a failing and a passing table case; every module of `shared/src` and `proxy/src` opens with a
//! `//!` doc; `shared/src` does no I/O; every reference to a repository file (and to a numbered
//! section of a document under `docs/`) resolves, and nothing points outside the repository.
//!
//! The checks read the source tree as text (this crate's manifest is one level below the workspace
//! root), so they need no extra dependency and see files no test binary links.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Directories never scanned: build output, dependencies, VCS data.
const SKIP_DIRS: &[&str] = &[
    "target",
    "node_modules",
    ".git",
    "dist",
    "artifacts",
    "test-results",
];

fn files_under(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !SKIP_DIRS.contains(&name) && !name.starts_with('.') {
                files_under(&path, extensions, out);
            }
        } else if extensions
            .iter()
            .any(|ext| path.extension().and_then(|e| e.to_str()) == Some(*ext))
        {
            out.push(path);
        }
    }
}

fn rs_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    files_under(&root().join(dir), &["rs"], &mut out);
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------- Rust source as text

/// The source with every `#[cfg(test)]` item (a test module, a test-only constant) blanked out,
/// line numbers kept. Brace counting is naive about braces inside string literals, which are balanced in practice.
fn without_test_items(src: &str) -> String {
    let mut out = String::new();
    let mut lines = src.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("#[cfg(test)]") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.push('\n');
        let mut depth = 0i32;
        let mut opened = false;
        for item in lines.by_ref() {
            out.push('\n');
            let t = item.trim();
            if t.starts_with("#[") && !opened {
                continue;
            }
            for c in item.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth <= 0) || (!opened && t.ends_with(';')) {
                break;
            }
        }
    }
    out
}

/// The source without `//` comments (doc comments included), so prose does not count as code.
fn without_comments(src: &str) -> String {
    src.lines()
        .map(|line| {
            let mut in_str = false;
            let mut prev = ' ';
            for (i, c) in line.char_indices() {
                match c {
                    '"' if prev != '\\' => in_str = !in_str,
                    '/' if !in_str && prev == '/' => return &line[..i - 1],
                    _ => {}
                }
                prev = c;
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The contents of every `"…"` literal of `src` (no escapes inside codes, so a plain scan will do).
fn string_literals(src: &str) -> Vec<&str> {
    src.split('"').skip(1).step_by(2).collect()
}

fn is_rule_code(s: &str) -> bool {
    let letters = s.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &s[letters..];
    (1..=3).contains(&letters)
        && (1..=3).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------- rule codes

/// Every code literal in `shared/src` outside tests: the first argument of `Finding::error` and
/// friends, or a table the code is picked from (the firewall rules' `("F4", …)`).
fn emitted_codes() -> BTreeMap<String, String> {
    let mut codes = BTreeMap::new();
    for path in rs_files("shared/src") {
        let src = without_comments(&without_test_items(&read(&path)));
        for lit in string_literals(&src) {
            if is_rule_code(lit) {
                codes.entry(lit.to_owned()).or_insert_with(|| rel(&path));
            }
        }
    }
    codes
}

/// Codes in the first column of a table row of the two rule documents.
fn documented_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for doc in [
        "docs/validation-rules.md",
        "docs/validation-rules-inventory.md",
    ] {
        for line in read(&root().join(doc)).lines() {
            if let Some(cell) = line.strip_prefix('|').and_then(|r| r.split('|').next()) {
                let cell = cell.trim();
                if is_rule_code(cell) {
                    codes.insert(cell.to_owned());
                }
            }
        }
    }
    codes
}

/// The table constructors of the rule tests; each of those tests checks that its case's failing
/// input raises the code and its passing input does not (`rules.rs`, `inventory_rules.rs`,
/// `rules_json.rs`).
const CASE_CONSTRUCTORS: &[&str] = &["case(", "vc(", "esx(", "json_case(", "edge_case("];

/// Codes given as the first argument of a table constructor anywhere under `shared/tests`.
fn codes_with_table_cases() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for path in rs_files("shared/tests") {
        if path.file_name().is_some_and(|n| n == "tidy.rs") {
            continue;
        }
        let src = read(&path);
        for ctor in CASE_CONSTRUCTORS {
            for (at, _) in src.match_indices(ctor) {
                let before = src[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                let rest = src[at + ctor.len()..].trim_start();
                if let Some(code) = rest.strip_prefix('"').and_then(|r| r.split('"').next())
                    && is_rule_code(code)
                {
                    codes.insert(code.to_owned());
                }
            }
        }
    }
    codes
}

#[test]
fn every_emitted_rule_code_is_documented_and_has_table_cases() {
    let emitted = emitted_codes();
    assert!(
        emitted.len() > 50,
        "the code scan found only {emitted:?}: has the way codes are written changed?"
    );
    let documented = documented_codes();
    let tabled = codes_with_table_cases();
    let mut problems = Vec::new();
    for (code, file) in &emitted {
        if !documented.contains(code) {
            problems.push(format!(
                "{code} (emitted in {file}) has no row in docs/validation-rules.md or \
                 docs/validation-rules-inventory.md"
            ));
        }
        if !tabled.contains(code) {
            problems.push(format!(
                "{code} (emitted in {file}) has no failing/passing table case under shared/tests \
                 (rules.rs for command lines, inventory_rules.rs with a snapshot, rules_json.rs \
                 for JSON-only input)"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------- module docs

#[test]
fn every_module_opens_with_its_doc() {
    let mut missing = Vec::new();
    for path in rs_files("shared/src")
        .into_iter()
        .chain(rs_files("proxy/src"))
    {
        let src = read(&path);
        let first = src.lines().map(str::trim).find(|l| !l.is_empty());
        if !first.is_some_and(|l| l.starts_with("//!")) {
            missing.push(rel(&path));
        }
    }
    assert!(
        missing.is_empty(),
        "modules without an opening `//!` doc saying what they do: {missing:#?}"
    );
}

// ---------------------------------------------------------------- no I/O in shared

/// Anything that reaches outside the process's memory: files, sockets, processes, threads,
/// environment, clocks, randomness, async runtimes and HTTP clients.
const FORBIDDEN_IN_SHARED: &[&str] = &[
    "std::fs",
    "std::process",
    "std::thread",
    "std::env",
    "std::io::stdin",
    "std::io::stdout",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "ToSocketAddrs",
    "tokio",
    "reqwest",
    "hyper",
    "SystemTime::now",
    "Instant::now",
    "rand::",
    "getrandom",
];

/// `std::net` is allowed for its address values only (they are plain data, also in `core::net`).
const NET_VALUE_TYPES: &[&str] = &[
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "AddrParseError",
];

fn io_problems(file: &str, src: &str) -> Vec<String> {
    let code = without_comments(&without_test_items(src));
    let mut problems = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for word in FORBIDDEN_IN_SHARED {
            if line.contains(word) {
                problems.push(format!("{file}:{}: `{word}` in `{}`", n + 1, line.trim()));
            }
        }
        for (at, _) in line.match_indices("std::net::") {
            let rest = &line[at + "std::net::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
                None => vec![rest],
            };
            for name in names {
                let name: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && !NET_VALUE_TYPES.contains(&name.as_str()) {
                    problems.push(format!(
                        "{file}:{}: `std::net::{name}` is not an address value",
                        n + 1
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn shared_does_no_io() {
    let mut problems = Vec::new();
    for path in rs_files("shared/src") {
        problems.extend(io_problems(&rel(&path), &read(&path)));
    }
    assert!(
        problems.is_empty(),
        "shared must stay pure (it runs in the browser too); move these to the proxy or behind \
         #[cfg(test)]:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_io_check_catches_io_and_ignores_tests_and_prose() {
    let src = "//! No std::fs here, only prose.\n\
               use std::net::{IpAddr, Ipv4Addr};\n\
               fn f() { let _ = std::fs::read(\"x\"); }\n\
               fn g() { let _ = std::net::TcpStream::connect(\"127.0.0.1:1\"); }\n\
               #[cfg(test)]\n\
               mod tests {\n    fn h() { std::thread::spawn(|| {}); }\n}\n";
    let problems = io_problems("x.rs", src);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems[0].starts_with("x.rs:3: `std::fs`"),
        "{problems:#?}"
    );
    assert!(problems.iter().any(|p| p.contains("TcpStream")));
}

// ---------------------------------------------------------------- references

/// The files whose text is checked for references.
const REFERENCE_EXTENSIONS: &[&str] = &["rs", "mjs", "js", "go", "py", "sh", "md", "toml"];

/// Names of documents that are not in the repository and must not be cited. Split with
/// `concat!` so that this file does not itself match a search for them.
const OUTSIDE_NAMES: &[&str] = &[
    concat!("vic-", "extraconfig.md"),
    concat!("vic-", "original.md"),
    concat!("vsphere-", "api.md"),
    concat!("eco", "system.md"),
    concat!("shared/", "spec/"),
    concat!("shared/", "seeds/"),
    concat!("/wo", "rk/"),
];

/// Where a bare `§N` (with no document named before it) points, by the citing file.
fn default_document(file: &str) -> Option<String> {
    if file.starts_with("shared/src/extraconfig/") || file.starts_with("shared/tests/extraconfig_")
    {
        Some("docs/appliance-extraconfig.md".to_owned())
    } else if file.starts_with("docs/") && file.ends_with(".md") {
        Some(file.to_owned())
    } else {
        None
    }
}

/// Section ids (`1`, `2.3`) of a markdown document, from its `##`/`###` headings
/// (`## 1. Encoding`, `### 1.4 Building a key`).
fn section_ids(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| l.trim_start_matches('#').trim_start())
        .filter_map(|l| l.split_whitespace().next())
        .map(|id| id.trim_end_matches('.').to_owned())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .collect()
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '*')
}

/// File extensions that make a path token a file reference (an extensionless token such as
/// `shared/vols` in a datastore path is too often not about this repository).
const FILE_EXTENSIONS: &[&str] = &[
    "rs", "md", "mjs", "js", "go", "py", "sh", "toml", "json", "txt", "tsv", "html", "css", "yml",
    "yaml",
];

/// Repository-relative file paths in `text`: a token that starts with a top-level entry of the
/// repository followed by `/` and ends in a file extension (`shared/src/pem.rs`,
/// `docs/lifecycle.md`, `shared/tests/extraconfig_*.rs`).
fn repo_paths<'a>(text: &'a str, top: &BTreeSet<String>) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let starts_token = i == 0 || {
            let prev = text[..i].chars().next_back().unwrap_or(' ');
            !is_path_char(prev) && prev != '$' && prev != '~'
        };
        if starts_token && bytes[i].is_ascii_alphabetic() {
            let len = text[i..]
                .find(|c: char| !is_path_char(c))
                .unwrap_or(text.len() - i);
            let token = text[i..i + len].trim_end_matches(['.', '/', '-']);
            let has_extension = token
                .rsplit_once('.')
                .is_some_and(|(_, ext)| FILE_EXTENSIONS.contains(&ext));
            if let Some((first, rest)) = token.split_once('/')
                && top.contains(first)
                && !rest.is_empty()
                && has_extension
            {
                out.push((i, token));
            }
            i += len.max(1);
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Whether a path (possibly with one `*` in its file name) names something in the repository.
fn resolves(path: &str) -> bool {
    let full = root().join(path);
    if !path.contains('*') {
        return full.exists();
    }
    let (dir, pattern) = path.rsplit_once('/').unwrap_or(("", path));
    let Some((prefix, suffix)) = pattern.split_once('*') else {
        return false;
    };
    fs::read_dir(root().join(dir)).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
    })
}

/// One `§` reference: where it is, the document it cites (if any), the section ids (two for a
/// range) and the step it names, if any.
struct SectionRef {
    at: usize,
    doc: Option<String>,
    ids: Vec<String>,
    step: Option<u32>,
}

fn section_refs(text: &str, file: &str) -> Vec<SectionRef> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('§') {
        // `§N`, `§X`: a placeholder in prose about how to cite, not a reference.
        let rest = &text[at + '§'.len_utf8()..];
        if rest.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        // The nearest document named before the `§`, on this line or the one before it.
        let line_start = text[..at].rfind('\n').unwrap_or(0);
        let window_start = text[..line_start].rfind('\n').unwrap_or(0);
        let window = &text[window_start..at];
        let named = window
            .rmatch_indices(".md")
            .filter_map(|(end, _)| {
                let start = window[..end]
                    .rfind(|c: char| !is_path_char(c))
                    .map_or(0, |p| p + 1);
                let name = &window[start..end + 3];
                // A link relative to a document in docs/ names a sibling document.
                let name = match name.strip_prefix("docs/") {
                    Some(_) => name.to_owned(),
                    None if file.starts_with("docs/") && !name.contains('/') => {
                        format!("docs/{name}")
                    }
                    None => name.to_owned(),
                };
                name.starts_with("docs/").then_some(name)
            })
            .next();
        let doc = named.or_else(|| default_document(file));
        let spec: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '–' | '-'))
            .collect();
        let spec = spec.trim_end_matches(['.', '-', '–']);
        let ids: Vec<String> = spec
            .split(['–', '-'])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let after = rest[spec.len()..].trim_start_matches([' ', '[']);
        let step = after
            .strip_prefix("step ")
            .map(|s| {
                s.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|s| s.parse().ok());
        out.push(SectionRef { at, doc, ids, step });
    }
    out
}

/// Whether section `id` of `doc` has a numbered item `step` (`13. **VM group**`).
fn has_step(doc: &str, id: &str, step: u32) -> bool {
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with('#') {
            let ids = section_ids(line);
            inside = ids.contains(id);
            continue;
        }
        if inside && line.starts_with(&format!("{step}. ")) {
            return true;
        }
    }
    false
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn reference_problems(file: &str, text: &str, top: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for name in OUTSIDE_NAMES {
        for (at, _) in text.match_indices(name) {
            problems.push(format!(
                "{file}:{}: `{name}` is outside the repository; cite the document under docs/",
                line_of(text, at)
            ));
        }
    }
    for (at, path) in repo_paths(text, top) {
        let plain = !path.contains(['<', '{']);
        if plain && !resolves(path) {
            problems.push(format!(
                "{file}:{}: `{path}` does not exist in the repository",
                line_of(text, at)
            ));
        }
    }
    for SectionRef { at, doc, ids, step } in section_refs(text, file) {
        let line = line_of(text, at);
        let Some(doc) = doc else {
            problems.push(format!(
                "{file}:{line}: a `§` with no document: write `docs/<name>.md §N`"
            ));
            continue;
        };
        let Ok(doc_text) = fs::read_to_string(root().join(&doc)) else {
            problems.push(format!("{file}:{line}: `{doc}` does not exist"));
            continue;
        };
        if ids.is_empty() {
            problems.push(format!("{file}:{line}: a `§` without a section number"));
        }
        let sections = section_ids(&doc_text);
        for id in &ids {
            if !sections.contains(id) {
                problems.push(format!("{file}:{line}: `{doc}` has no section {id}"));
            }
        }
        if let (Some(step), [id]) = (step, ids.as_slice())
            && !has_step(&doc_text, id, step)
        {
            problems.push(format!("{file}:{line}: `{doc}` §{id} has no step {step}"));
        }
    }
    problems
}

fn top_level_entries() -> BTreeSet<String> {
    fs::read_dir(root())
        .expect("workspace root")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !SKIP_DIRS.contains(&n.as_str()))
        .collect()
}

#[test]
fn every_reference_resolves_inside_the_repository() {
    let top = top_level_entries();
    let mut files = Vec::new();
    files_under(&root(), REFERENCE_EXTENSIONS, &mut files);
    let mut problems = Vec::new();
    for path in &files {
        let file = rel(path);
        if file == "shared/tests/tidy.rs" {
            continue;
        }
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        problems.extend(reference_problems(&file, &text, &top));
    }
    assert!(
        problems.is_empty(),
        "references that do not resolve inside the repository:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_reference_check_catches_what_it_should() {
    let top = top_level_entries();
    let good = "// See docs/original-sequences.md §1 step 12 and `docs/vsphere-notes.md` §2.1–2.3,\n\
                // shared/src/pem.rs, shared/tests/extraconfig_*.rs, nfs://h/shared/vols and §N.\n";
    assert_eq!(
        reference_problems("proxy/src/x.rs", good, &top),
        Vec::<String>::new()
    );
    let outside = OUTSIDE_NAMES[1];
    let bad = format!(
        "// docs/original-sequences.md §9, docs/original-sequences.md §1 step 40,\n\
         // docs/nowhere.md §1, shared/src/gone.rs and {outside}.\n\n\
         // A bare §2.\n"
    );
    let problems = reference_problems("proxy/src/x.rs", &bad, &top);
    for expected in [
        "has no section 9",
        "has no step 40",
        "`docs/nowhere.md` does not exist",
        "`shared/src/gone.rs` does not exist",
        "a `§` with no document",
        &format!("`{outside}` is outside"),
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:#?}"
        );
    }
    // A bare `§` in the extraConfig code is a section of docs/appliance-extraconfig.md.
    assert!(reference_problems("shared/src/extraconfig/x.rs", "// (§1.4)", &top).is_empty());
    assert_eq!(
        reference_problems("shared/src/extraconfig/x.rs", "// (§1.13)", &top).len(),
        1
    );
}
