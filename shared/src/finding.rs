//! What validation returns: findings with a stable code, the model path and the vic-machine option
//! they concern, and the report whose JSON form is the contract of `vch validate --format json`.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Rule id from `docs/validation-rules.md`, e.g. `NV10`.
    pub code: String,
    /// The `vic-machine create` long option without dashes, when one is concerned.
    pub option: Option<String>,
    /// Where in [`crate::config::VchConfig`] the problem is, e.g. `network.bridge.port_group`.
    pub path: String,
    pub message: String,
    pub suggestions: Vec<String>,
}

impl Finding {
    pub fn new(
        severity: Severity,
        code: &str,
        option: Option<&str>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code: code.to_owned(),
            option: option.map(str::to_owned),
            path: path.into(),
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    pub fn error(
        code: &str,
        option: &str,
        path: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, code, Some(option), path, msg)
    }

    pub fn warning(
        code: &str,
        option: &str,
        path: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, Some(option), path, msg)
    }

    pub fn info(code: &str, option: &str, path: impl Into<String>, msg: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, Some(option), path, msg)
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestions.push(suggestion.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.severity, self.code)?;
        if let Some(option) = &self.option {
            write!(f, " (--{option})")?;
        }
        write!(f, ": {}", self.message)?;
        for s in &self.suggestions {
            write!(f, "\n    suggestion: {s}")?;
        }
        Ok(())
    }
}

/// All findings of one validation run, in the order the rules ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(findings: Vec<Finding>) -> Self {
        Self { findings }
    }

    /// False as soon as one finding is an error; warnings and infos do not block.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(Finding::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// Findings found before validation (while reading a command line) come first.
    pub fn prepend(&mut self, mut earlier: Vec<Finding>) {
        earlier.append(&mut self.findings);
        self.findings = earlier;
    }

    pub fn to_json(&self) -> String {
        // Serialising plain strings and enums cannot fail.
        serde_json::to_string(self)
            .unwrap_or_else(|_| String::from("{\"valid\":false,\"findings\":[]}"))
    }
}

/// `valid` is derived, never stored, so it cannot disagree with the findings.
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Report", 2)?;
        s.serialize_field("valid", &self.is_valid())?;
        s.serialize_field("findings", &self.findings)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_contract_shape() {
        let r = Report::new(vec![
            Finding::warning("T12", "ops-user", "operations.ops_user", "m"),
            Finding::new(Severity::Info, "X1", None, "p", "m").with_suggestion("s"),
        ]);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["valid"], true);
        assert_eq!(v["findings"][0]["severity"], "warning");
        assert_eq!(v["findings"][0]["option"], "ops-user");
        assert_eq!(v["findings"][1]["option"], serde_json::Value::Null);
        assert_eq!(v["findings"][1]["suggestions"][0], "s");
        let keys: Vec<_> = v["findings"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys.len(), 6);
    }

    #[test]
    fn one_error_makes_it_invalid() {
        let r = Report::new(vec![Finding::error("N1", "bridge-network-range", "p", "m")]);
        assert!(!r.is_valid());
        assert!(r.to_json().starts_with("{\"valid\":false"));
    }
}
