//! Splitting one command-line string into words, the way a POSIX shell or Windows'
//! `CommandLineToArgvW` would, and quoting words back for either.
//!
//! Pasted commands are often slightly broken (a stray quote, a `\ ` before the newline); we repair
//! what we can and say so rather than refuse.

/// A quote that never closed; the splitter dropped it and went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayQuote {
    pub quote: char,
    /// The word the quote was in, after repair.
    pub context: String,
}

/// POSIX shell word splitting: single and double quotes, backslash escapes, `\`-newline
/// continuations. Unbalanced quotes are dropped (reported in the second value).
pub fn split_posix(line: &str) -> (Vec<String>, Vec<StrayQuote>) {
    // A trailing space after the continuation backslash is a common paste error: "\ \n".
    let cleaned: String = line
        .replace("\r\n", "\n")
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    let mut chars: Vec<char> = cleaned.chars().collect();
    let mut strays = Vec::new();
    loop {
        match split_posix_strict(&chars) {
            Ok(words) => return (words, strays),
            Err(pos) => {
                let quote = chars[pos];
                chars.remove(pos);
                let start = chars[..pos]
                    .iter()
                    .rposition(|c| c.is_whitespace())
                    .map_or(0, |p| p + 1);
                let end = chars[pos..]
                    .iter()
                    .position(|c| c.is_whitespace())
                    .map_or(chars.len(), |p| p + pos);
                strays.push(StrayQuote {
                    quote,
                    context: chars[start..end].iter().collect(),
                });
            }
        }
    }
}

/// Splits, or returns the index of the quote that never closed.
fn split_posix_strict(chars: &[char]) -> Result<Vec<String>, usize> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') => {}
                    Some(&next) => {
                        word.push(next);
                        in_word = true;
                    }
                    None => {}
                }
                i += 2;
                continue;
            }
            '\'' => {
                let close = chars[i + 1..].iter().position(|&q| q == '\'').ok_or(i)?;
                word.extend(&chars[i + 1..i + 1 + close]);
                in_word = true;
                i += close + 2;
                continue;
            }
            '"' => {
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(i),
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(j + 1), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars[j + 1]);
                            j += 2;
                        }
                        Some('\\') if chars.get(j + 1) == Some(&'\n') => j += 2,
                        Some(&other) => {
                            word.push(other);
                            j += 1;
                        }
                    }
                }
                in_word = true;
                i = j + 1;
                continue;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Windows `CommandLineToArgvW` rules, plus cmd's `^` and PowerShell's backtick continuations.
pub fn split_windows(line: &str) -> Vec<String> {
    let cleaned = line
        .replace("\r\n", "\n")
        .replace("^\n", " ")
        .replace("`\n", " ");
    let chars: Vec<char> = cleaned.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let n = chars[i..].iter().take_while(|&&b| b == '\\').count();
            if chars.get(i + n) == Some(&'"') {
                word.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    word.push('"');
                    i += n + 1;
                } else {
                    i += n;
                }
            } else {
                word.extend(std::iter::repeat_n('\\', n));
                i += n;
            }
            in_word = true;
            continue;
        }
        if c == '"' {
            if quoted && chars.get(i + 1) == Some(&'"') {
                word.push('"');
                i += 2;
                continue;
            }
            quoted = !quoted;
            in_word = true;
        } else if c.is_whitespace() && !quoted {
            if in_word {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
        } else {
            word.push(c);
            in_word = true;
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Single-quotes a word for sh/bash/zsh unless it is plainly safe.
pub fn quote_posix(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r#"'\''"#))
    }
}

/// Quotes a word so `CommandLineToArgvW` gives it back unchanged.
pub fn quote_windows(word: &str) -> String {
    let needs = word.is_empty()
        || word
            .chars()
            .any(|c| c.is_whitespace() || "\"&|<>^%()".contains(c));
    if !needs {
        return word.to_owned();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in word.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            other => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(other);
                backslashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quotes_and_continuations() {
        let (w, s) = split_posix("a 'b c' \"d \\\" e\" f\\ g \\\nh ''");
        assert_eq!(w, ["a", "b c", "d \" e", "f g", "h", ""]);
        assert!(s.is_empty());
    }

    #[test]
    fn posix_trailing_space_after_backslash() {
        let (w, _) = split_posix("--target \"x\" \\ \n--user y");
        assert_eq!(w, ["--target", "x", "--user", "y"]);
    }

    #[test]
    fn posix_repairs_a_stray_quote() {
        let (w, s) = split_posix("--external-network VMNW51\"");
        assert_eq!(w, ["--external-network", "VMNW51"]);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn windows_round_trip() {
        for word in [
            "plain",
            "with space",
            "quote\"inside",
            "trail\\",
            "back\\\\\"x",
            "",
            "a&b",
        ] {
            let q = quote_windows(word);
            assert_eq!(split_windows(&q), vec![word.to_owned()], "{q}");
        }
    }

    #[test]
    fn posix_round_trip() {
        for word in ["plain", "with space", "it's", "$HOME", "", "a\\b", "\"q\""] {
            let (w, _) = split_posix(&quote_posix(word));
            assert_eq!(w, vec![word.to_owned()]);
        }
    }
}
