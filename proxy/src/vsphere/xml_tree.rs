//! Parsed response XML: a small element tree with namespace-resolved type attributes.
//!
//! vim25 responses are read into this tree rather than through serde because the two attributes
//! that matter share the local name `type`: the XML Schema instance type (which vcsim writes as
//! `XMLSchema-instance:type`, real servers as `xsi:type`) and the unprefixed MoRef type. They are
//! told apart by namespace, never by prefix.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::MoRef;

const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Deeper nesting than any vim25 response has; bounded so hostile input cannot exhaust the stack
/// when the tree is dropped.
const MAX_DEPTH: usize = 128;

/// One element: local name, type attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// Local part of the XML Schema instance type (`xsd:string` → `string`).
    pub xsi_type: Option<String>,
    /// The unprefixed `type` attribute: the managed object type of a MoRef.
    pub moref_type: Option<String>,
    /// Concatenated character data with entities resolved (not trimmed: MoRef values may contain spaces).
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// A MoRef element (`<x type="HostSystem">host-21</x>`).
    pub fn as_moref(&self) -> Option<MoRef> {
        self.moref_type.as_ref().map(|t| MoRef {
            kind: t.clone(),
            value: self.text.clone(),
        })
    }

    pub fn child_moref(&self, name: &str) -> Option<MoRef> {
        self.child(name).and_then(Node::as_moref)
    }

    pub fn child_bool(&self, name: &str) -> Option<bool> {
        self.child_text(name).and_then(|t| match t.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }

    pub fn child_i64(&self, name: &str) -> Option<i64> {
        self.child_text(name).and_then(|t| t.trim().parse().ok())
    }

    /// `ArrayOfManagedObjectReference` values: every child that is a MoRef.
    pub fn morefs(&self) -> Vec<MoRef> {
        self.children.iter().filter_map(Node::as_moref).collect()
    }
}

/// Parses a whole document and returns its root element.
pub(crate) fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("elements nested too deeply".into());
                }
                stack.push(element(&reader, &start)?);
            }
            Event::Empty(start) => {
                let node = element(&reader, &start)?;
                attach(&mut stack, &mut root, node)?;
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced end tag")?;
                attach(&mut stack, &mut root, node)?;
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&text.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.into_inner());
                }
            }
            Event::GeneralRef(reference) => {
                let Some(top) = stack.last_mut() else {
                    continue;
                };
                if let Some(ch) = reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    top.text.push(ch);
                } else {
                    let name = reference.xml_content(XmlVersion::Implicit1_0);
                    let value = resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown entity &{name};"))?;
                    top.text.push_str(value);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("document ended inside an element".into());
    }
    root.ok_or_else(|| "empty document".into())
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

fn element(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Result<Node, String> {
    let name = start.local_name().into_inner().to_owned();
    let mut node = Node {
        name,
        ..Node::default()
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
        if local.into_inner() != "type" {
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        match namespace {
            ResolveResult::Bound(Namespace(ns)) if ns == XSI_NAMESPACE => {
                // A QName: keep the local part (`xsd:string` → `string`).
                let local = value.rsplit(':').next().unwrap_or(&value).to_owned();
                node.xsi_type = Some(local);
            }
            ResolveResult::Unbound => node.moref_type = Some(value),
            _ => {}
        }
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_vcsim_type_attributes_by_namespace() {
        let xml = r#"<val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="Datastore">/tmp/govcsim-DC0-LocalDS_0-1@folder-5</val>"#;
        let node = parse(xml).unwrap();
        assert_eq!(node.xsi_type.as_deref(), Some("ManagedObjectReference"));
        let moref = node.as_moref().unwrap();
        assert_eq!(moref.kind, "Datastore");
        assert_eq!(moref.value, "/tmp/govcsim-DC0-LocalDS_0-1@folder-5");
    }

    #[test]
    fn keeps_spaces_and_entities_in_values() {
        let xml = r#"<x xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><val xsi:type="xsd:string" type="Network">HaNetwork-VM Network &amp; &#x41;</val></x>"#;
        let node = parse(xml).unwrap();
        let val = node.child("val").unwrap();
        assert_eq!(val.xsi_type.as_deref(), Some("string"));
        assert_eq!(val.text, "HaNetwork-VM Network & A");
    }

    #[test]
    fn a_type_attribute_in_another_namespace_is_ignored() {
        let xml = r#"<val xmlns:o="urn:other" o:type="Nope">x</val>"#;
        let node = parse(xml).unwrap();
        assert_eq!(node.xsi_type, None);
        assert_eq!(node.moref_type, None);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&bogus;</a>", "\u{0}"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }
}
