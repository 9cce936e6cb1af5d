//! SOAP 1.1 envelopes: building vim25 requests and unwrapping responses and faults.
//!
//! Requests are written by hand (vim25 needs explicit `xsi:type` on polymorphic fields and WSDL
//! field order, which a generic serialiser does not know); every text value and attribute is
//! escaped here, so callers cannot produce malformed XML.

use quick_xml::escape::escape;

use super::MoRef;
use super::error::VsphereError;
use super::fault::Fault;
use super::xml_tree::{self, Node};

/// The first character of `text` that XML 1.0 cannot carry at all, escaped or not: C0 controls
/// other than tab, line feed and carriage return, and U+FFFE/U+FFFF. (Lone surrogates, the other
/// excluded code points, cannot occur in a Rust string.)
pub fn first_non_xml_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

/// The body of one vim25 method call, written in WSDL order by the caller.
pub(crate) struct Request {
    method: &'static str,
    xml: String,
    /// The element whose text held a character XML cannot carry; such a request is never sent.
    refused: Option<(String, char)>,
}

impl Request {
    /// Starts `<method xmlns="urn:vim25"><_this type="...">...</_this>`.
    pub fn new(method: &'static str, this: &MoRef) -> Request {
        let mut request = Request {
            method,
            xml: String::with_capacity(512),
            refused: None,
        };
        request.xml.push_str(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soapenv:Body><",
        );
        request.xml.push_str(method);
        request.xml.push_str(" xmlns=\"urn:vim25\">");
        request.moref("_this", this);
        request
    }

    pub fn method(&self) -> &'static str {
        self.method
    }

    /// `<tag>text</tag>`, escaped.
    pub fn text(&mut self, tag: &str, value: &str) -> &mut Self {
        self.open(tag);
        self.escaped(tag, value);
        self.close(tag)
    }

    /// Escaped character data inside an element opened with [`Request::open_typed`].
    pub fn content(&mut self, value: &str) -> &mut Self {
        self.escaped("content", value);
        self
    }

    /// Escaping cannot make a NUL or U+FFFF valid XML: remember the first such value instead of
    /// writing a document the server would reject or misread.
    fn escaped(&mut self, tag: &str, value: &str) {
        if let Some(c) = first_non_xml_char(value) {
            self.refused.get_or_insert_with(|| (tag.to_owned(), c));
            return;
        }
        self.xml.push_str(&escape(value));
    }

    /// Refuses a request that holds text XML cannot carry; called before it is sent.
    pub fn check(&self) -> Result<(), VsphereError> {
        match &self.refused {
            None => Ok(()),
            Some((tag, c)) => Err(VsphereError::NotXmlText {
                method: self.method.to_owned(),
                element: tag.clone(),
                character: format!("U+{:04X}", u32::from(*c)),
            }),
        }
    }

    pub fn bool(&mut self, tag: &str, value: bool) -> &mut Self {
        self.text(tag, if value { "true" } else { "false" })
    }

    /// `<tag type="Kind">value</tag>`: the MoRef value is opaque text (slashes, spaces, `@`).
    pub fn moref(&mut self, tag: &str, moref: &MoRef) -> &mut Self {
        self.xml.push('<');
        self.xml.push_str(tag);
        self.xml.push_str(" type=\"");
        self.escaped(tag, moref.kind.as_str());
        self.xml.push_str("\">");
        self.escaped(tag, moref.value.as_str());
        self.close(tag)
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.xml.push('<');
        self.xml.push_str(tag);
        self.xml.push('>');
        self
    }

    /// Opens a polymorphic field: `<tag xsi:type="Type">` (without it vcsim reads the base type).
    pub fn open_typed(&mut self, tag: &str, xsi_type: &str) -> &mut Self {
        self.xml.push('<');
        self.xml.push_str(tag);
        self.xml.push_str(" xsi:type=\"");
        self.escaped(tag, xsi_type);
        self.xml.push_str("\">");
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.xml.push_str("</");
        self.xml.push_str(tag);
        self.xml.push('>');
        self
    }

    /// The finished envelope.
    pub fn finish(mut self) -> String {
        self.xml.push_str("</");
        self.xml.push_str(self.method);
        self.xml.push_str("></soapenv:Body></soapenv:Envelope>");
        self.xml
    }
}

/// Unwraps a response document: the `<MethodResponse>` element, or the typed fault.
///
/// The HTTP status is not trusted on its own: vim25 faults come with 500, but a proxy in between
/// may answer 500 with HTML, and some servers send faults with 200.
pub(crate) fn parse_response(method: &str, body: &str) -> Result<Node, VsphereError> {
    let envelope =
        xml_tree::parse(body).map_err(|reason| VsphereError::malformed(method, reason))?;
    if envelope.name != "Envelope" {
        return Err(VsphereError::malformed(method, "not a SOAP envelope"));
    }
    // Responses can be megabytes: move the element out instead of cloning it.
    let soap_body = envelope
        .children
        .into_iter()
        .find(|c| c.name == "Body")
        .ok_or_else(|| VsphereError::malformed(method, "no SOAP Body"))?;
    let first = soap_body
        .children
        .into_iter()
        .next()
        .ok_or_else(|| VsphereError::malformed(method, "empty SOAP Body"))?;
    if first.name == "Fault" {
        let message = first
            .child_text("faultstring")
            .unwrap_or_default()
            .to_owned();
        let fault = match first.child("detail").and_then(|d| d.children.first()) {
            Some(detail) => Fault::from_node(detail, message),
            None => Fault::from_node(
                &Node {
                    name: "SystemError".into(),
                    ..Node::default()
                },
                message,
            ),
        };
        return Err(VsphereError::Fault {
            method: method.to_owned(),
            fault: Box::new(fault),
        });
    }
    let expected = format!("{method}Response");
    if first.name != expected {
        return Err(VsphereError::malformed(
            method,
            format!("expected <{expected}>, got <{}>", first.name),
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vsphere::fault::FaultKind;

    #[test]
    fn refuses_text_xml_cannot_carry_instead_of_writing_it() {
        for bad in ["a\0b", "\u{1}", "x\u{FFFF}", "\u{FFFE}", "\u{1B}[0m"] {
            let mut r = Request::new("Login", &MoRef::new("SessionManager", "SessionManager"));
            r.text("userName", "root").text("password", bad);
            let err = r.check().unwrap_err();
            assert!(
                matches!(&err, VsphereError::NotXmlText { element, .. } if element == "password")
            );
            assert!(!r.finish().contains(bad));
        }
        let mut r = Request::new("Login", &MoRef::new("SessionManager", "SessionManager"));
        r.text("userName", "tab\tnewline\ncr\r é \u{10000}");
        assert!(r.check().is_ok());
    }

    #[test]
    fn escapes_values_and_morefs() {
        let mut request = Request::new("Login", &MoRef::new("SessionManager", "SessionManager"));
        request.text("userName", "a<b&\"c'");
        let moref = MoRef::new("Datastore", "/tmp/x y@folder-5&");
        request.moref("obj", &moref);
        let xml = request.finish();
        assert!(
            xml.contains("<userName>a&lt;b&amp;&quot;c&apos;</userName>"),
            "{xml}"
        );
        assert!(xml.contains("<obj type=\"Datastore\">/tmp/x y@folder-5&amp;</obj>"));
        assert!(xml.ends_with("</Login></soapenv:Body></soapenv:Envelope>"));
        // Round trip through our own parser.
        let tree = xml_tree::parse(&xml).unwrap();
        let login = &tree.child("Body").unwrap().children[0];
        assert_eq!(login.child_text("userName"), Some("a<b&\"c'"));
        assert_eq!(login.child_moref("obj"), Some(moref));
    }

    #[test]
    fn maps_a_fault_on_its_detail_type() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail>
 <DuplicateNameFault xmlns="urn:vim25" xsi:type="DuplicateName"><name>vch1</name><object type="ResourcePool">resgroup-86</object></DuplicateNameFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        let err = parse_response("CreateResourcePool", body).unwrap_err();
        match err.fault_kind() {
            Some(FaultKind::DuplicateName { name, object }) => {
                assert_eq!(name, "vch1");
                assert_eq!(object.as_ref().unwrap().value, "resgroup-86");
            }
            other => panic!("{other:?}"),
        }
    }
}
