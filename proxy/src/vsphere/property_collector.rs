//! Reading properties: container views and `RetrievePropertiesEx` with its paging-token loop.

use std::collections::HashMap;

use super::envelope::Request;
use super::error::VsphereError;
use super::fault::{Fault, FaultKind};
use super::session::Transport;
use super::xml_tree::Node;
use super::{MoRef, ServiceContent};

/// Objects per page asked of the server (`RetrieveOptions.maxObjects`): bounds the size of each
/// response, and so the memory of the tree it is parsed into. vCenter may return fewer; the
/// simulator ignores it and answers in one page.
const PAGE_OBJECTS: u32 = 2000;

/// Pages followed before giving up with an error: a server that keeps handing out tokens must
/// not keep the client reading forever (2,000 pages of 2,000 objects is far beyond any vCenter).
pub(crate) const MAX_PAGES: usize = 2000;

/// Which properties to read from objects of one type (subtypes included, as vim25 does).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PropertySpec<'a> {
    pub kind: &'a str,
    pub paths: &'a [&'a str],
}

/// Which objects to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Objects<'a> {
    /// Everything a container view holds (the view itself is skipped).
    View(&'a MoRef),
    /// Exactly these objects.
    List(&'a [MoRef]),
    /// Exactly these objects, in several lists (one call, no copying them into one).
    Lists(&'a [&'a [MoRef]]),
}

/// One object's properties. Unset properties are simply absent (vim25 omits them).
#[derive(Debug, Clone)]
pub(crate) struct ObjectContent {
    pub obj: MoRef,
    pub props: HashMap<String, Node>,
}

impl ObjectContent {
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.props.get(path)
    }

    pub fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(|n| n.text.as_str())
    }

    pub fn moref(&self, path: &str) -> Option<MoRef> {
        self.get(path).and_then(Node::as_moref)
    }

    pub fn morefs(&self, path: &str) -> Vec<MoRef> {
        self.get(path).map(Node::morefs).unwrap_or_default()
    }

    pub fn bool(&self, path: &str) -> Option<bool> {
        self.text(path).and_then(|t| match t.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }
}

pub(crate) async fn create_container_view(
    transport: &Transport,
    content: &ServiceContent,
    container: &MoRef,
    types: &[&str],
) -> Result<MoRef, VsphereError> {
    let mut request = Request::new("CreateContainerView", &content.view_manager);
    request.moref("container", container);
    for kind in types {
        request.text("type", kind);
    }
    request.bool("recursive", true);
    let response = transport.call(request).await?;
    response
        .child_moref("returnval")
        .ok_or_else(|| VsphereError::malformed("CreateContainerView", "no view returned"))
}

pub(crate) async fn destroy_view(transport: &Transport, view: &MoRef) -> Result<(), VsphereError> {
    transport.call(Request::new("DestroyView", view)).await?;
    Ok(())
}

/// `RetrievePropertiesEx`, then `ContinueRetrievePropertiesEx` while the server returns a token.
/// All property specs go into one filter spec, so one call reads every type.
pub(crate) async fn retrieve(
    transport: &Transport,
    content: &ServiceContent,
    props: &[PropertySpec<'_>],
    objects: Objects<'_>,
) -> Result<Vec<ObjectContent>, VsphereError> {
    let collector = &content.property_collector;
    let mut request = Request::new("RetrievePropertiesEx", collector);
    request.open("specSet");
    for spec in props {
        request.open("propSet").text("type", spec.kind);
        for path in spec.paths {
            request.text("pathSet", path);
        }
        request.close("propSet");
    }
    match objects {
        Objects::View(view) => {
            request
                .open("objectSet")
                .moref("obj", view)
                .bool("skip", true)
                .open_typed("selectSet", "TraversalSpec")
                .text("name", "traverseView")
                .text("type", "ContainerView")
                .text("path", "view")
                .bool("skip", false)
                .close("selectSet")
                .close("objectSet");
        }
        Objects::List(list) => {
            for obj in list {
                request
                    .open("objectSet")
                    .moref("obj", obj)
                    .bool("skip", false)
                    .close("objectSet");
            }
        }
        Objects::Lists(lists) => {
            for obj in lists.iter().copied().flatten() {
                request
                    .open("objectSet")
                    .moref("obj", obj)
                    .bool("skip", false)
                    .close("objectSet");
            }
        }
    }
    request.close("specSet");
    request
        .open("options")
        .text("maxObjects", &PAGE_OBJECTS.to_string())
        .close("options");

    let mut out = Vec::new();
    let mut response = transport.call(request).await?;
    let mut pages = 1;
    // No returnval: nothing matched.
    while let Some(result) = response
        .children
        .into_iter()
        .find(|c| c.name == "returnval")
    {
        let mut token = None;
        for child in result.children {
            match child.name.as_str() {
                "objects" => out.push(object_content("RetrievePropertiesEx", child)?),
                "token" if !child.text.is_empty() => token = Some(child.text),
                _ => {}
            }
        }
        let Some(token) = token else {
            break;
        };
        if pages >= MAX_PAGES {
            // Let the server free what it kept for the rest; the answer is an error either way.
            let mut cancel = Request::new("CancelRetrievePropertiesEx", collector);
            cancel.text("token", &token);
            let _ = transport.call(cancel).await;
            return Err(VsphereError::malformed(
                "ContinueRetrievePropertiesEx",
                format!(
                    "the server still had objects after {MAX_PAGES} pages of {PAGE_OBJECTS};                      the read was stopped there (is the inventory really this large?)"
                ),
            ));
        }
        pages += 1;
        let mut next = Request::new("ContinueRetrievePropertiesEx", collector);
        next.text("token", &token);
        response = transport.call(next).await?;
    }
    Ok(out)
}

fn object_content(method: &str, node: Node) -> Result<ObjectContent, VsphereError> {
    let obj = node
        .child_moref("obj")
        .ok_or_else(|| VsphereError::malformed(method, "an object without obj"))?;
    let mut props = HashMap::new();
    let mut missing_set = Vec::new();
    for child in node.children {
        match child.name.as_str() {
            "propSet" => {
                let mut name = None;
                let mut val = None;
                for part in child.children {
                    match part.name.as_str() {
                        "name" => name = Some(part.text),
                        "val" => val = Some(part),
                        _ => {}
                    }
                }
                if let (Some(name), Some(val)) = (name, val) {
                    props.insert(name, val);
                }
            }
            "missingSet" => missing_set.push(child),
            _ => {}
        }
    }
    for entry in &missing_set {
        let path = entry.child_text("path").unwrap_or_default().to_owned();
        // <fault><fault xsi:type="InvalidProperty">...</fault><localizedMessage/></fault>
        let Some(wrapper) = entry.child("fault") else {
            continue;
        };
        let message = wrapper
            .child_text("localizedMessage")
            .unwrap_or_default()
            .to_owned();
        let fault = Fault::from_node(wrapper.child("fault").unwrap_or(wrapper), message);
        // vcsim answers an unauthenticated RetrievePropertiesEx with 200 and this fault in every
        // object (real vCenter sends a SOAP fault): surface it the same way so re-login works.
        if fault.kind == FaultKind::NotAuthenticated {
            return Err(VsphereError::Fault {
                method: method.to_owned(),
                fault: Box::new(fault),
            });
        }
        // A property this server does not have (older API, or a vcsim gap) reads as unset.
        tracing::debug!(object = %obj, path, %fault, "property not readable");
    }
    Ok(ObjectContent { obj, props })
}

impl super::Client {
    /// `paths` of one object, read as `kind` (its type or a supertype), within the session
    /// (re-logging in once if it expired). `None` when the server returned no such object.
    pub(crate) async fn properties_of(
        &self,
        obj: &MoRef,
        kind: &str,
        paths: &[&str],
    ) -> Result<Option<ObjectContent>, VsphereError> {
        let objects = self
            .with_session(|| async {
                retrieve(
                    self.transport(),
                    self.content(),
                    &[PropertySpec { kind, paths }],
                    Objects::List(std::slice::from_ref(obj)),
                )
                .await
            })
            .await?;
        Ok(objects.into_iter().next())
    }
}
