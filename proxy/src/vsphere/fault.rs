//! Typed vim25 faults.
//!
//! A fault reaches us three ways: a SOAP `Fault` (HTTP 500) whose `detail` child names the type, a
//! task's `info.error` (`LocalizedMethodFault`), and a per-object `missingSet` entry of
//! `RetrievePropertiesEx`. All three are mapped on the fault's *type* (the `xsi:type` or the detail
//! element's name), never on the `faultstring`, which vcsim often leaves empty.

use std::fmt;

use super::MoRef;
use super::xml_tree::Node;

/// The fault types the deployment logic reacts to; everything else keeps its type name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Wrong user name or password (also: a second `Login` on a logged-in session in vcsim).
    InvalidLogin,
    /// No session, or the session expired.
    NotAuthenticated,
    /// The name is already used by `object` in the same parent.
    DuplicateName {
        name: String,
        object: Option<MoRef>,
    },
    /// e.g. `EnableRuleset` with an unknown ruleset id.
    NotFound,
    /// The object was deleted (or never existed).
    ManagedObjectNotFound {
        obj: Option<MoRef>,
    },
    InvalidArgument {
        invalid_property: Option<String>,
    },
    /// Unknown property path in a property collector request.
    InvalidProperty {
        name: Option<String>,
    },
    /// The server does not implement the method (vcsim: `UpdateRuleset`, `ContinueRetrievePropertiesEx`, ...).
    MethodNotFound {
        method: Option<String>,
    },
    MethodDisabled,
    NoPermission {
        privilege: Option<String>,
    },
    InvalidPowerState,
    FileAlreadyExists,
    FileNotFound,
    InvalidDatastore,
    /// Any other fault, by its vim25 type name.
    Other(String),
}

/// A vim25 fault with the server's message (possibly empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// The vim25 type name as sent (`InvalidLogin`, `DuplicateName`, ...).
    pub type_name: String,
    /// `faultstring` or `localizedMessage`; vcsim often leaves it empty or sends a Go type name.
    pub message: String,
}

impl Fault {
    /// Maps a fault element: a SOAP `detail` child (`<InvalidLoginFault xsi:type="InvalidLogin">`), a
    /// `LocalizedMethodFault.fault` or a `missingSet.fault` (`<fault xsi:type="InvalidProperty">`).
    pub(crate) fn from_node(node: &Node, message: String) -> Fault {
        let type_name = node
            .xsi_type
            .clone()
            .or_else(|| node.name.strip_suffix("Fault").map(str::to_owned))
            .unwrap_or_else(|| node.name.clone());
        let text = |name: &str| node.child_text(name).map(str::to_owned);
        let kind = match type_name.as_str() {
            "InvalidLogin" => FaultKind::InvalidLogin,
            "NotAuthenticated" => FaultKind::NotAuthenticated,
            "DuplicateName" => FaultKind::DuplicateName {
                name: text("name").unwrap_or_default(),
                object: node.child("object").and_then(Node::as_moref),
            },
            "NotFound" => FaultKind::NotFound,
            "ManagedObjectNotFound" => FaultKind::ManagedObjectNotFound {
                obj: node.child("obj").and_then(Node::as_moref),
            },
            "InvalidArgument" => FaultKind::InvalidArgument {
                invalid_property: text("invalidProperty"),
            },
            "InvalidProperty" => FaultKind::InvalidProperty { name: text("name") },
            "MethodNotFound" => FaultKind::MethodNotFound {
                method: text("method"),
            },
            "MethodDisabled" => FaultKind::MethodDisabled,
            "NoPermission" => FaultKind::NoPermission {
                privilege: text("privilegeId"),
            },
            "InvalidPowerState" => FaultKind::InvalidPowerState,
            "FileAlreadyExists" => FaultKind::FileAlreadyExists,
            "FileNotFound" => FaultKind::FileNotFound,
            "InvalidDatastore" => FaultKind::InvalidDatastore,
            other => FaultKind::Other(other.to_owned()),
        };
        Fault {
            kind,
            type_name,
            message,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // vcsim puts Go type names (`*types.InvalidPowerState`) in localizedMessage: not worth showing.
        let message = self.message.trim();
        if message.is_empty() || message.starts_with("*types.") {
            write!(f, "{}", self.type_name)
        } else {
            write!(f, "{} ({message})", self.type_name)
        }
    }
}
