//! Running inside the vSphere Client as a remote plugin view (`plugin-manifest/README.md`).
//!
//! vsphere-ui loads `/plugin/index.html#<route>` in an iframe served from its own origin, where
//! `/api/ui/htmlClientSdk.js` is its JavaScript SDK. Only then does the wizard take the session,
//! theme and selected object from the client; anywhere else (no iframe, or no SDK) it stays the
//! stand-alone page.
//!
//! Sign-in: a session the proxy already holds for this browser (`GET ./api/session`) is reused;
//! only without one is the client's session token cloned (`POST ./api/session/clone`), so nobody
//! types a password and a page reload does not clone again. When cloning fails (e.g. the proxy
//! does not trust vCenter's certificate) the reason is shown above the ordinary password form.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use serde::Serialize;
use shared::VchConfig;
use shared::inventory::{ComputeKind, InventorySnapshot};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{self, FetchError};
use crate::components::alert::ErrorAlert;
use crate::context::{AppContext, Inventory, Page};

/// Where vsphere-ui serves the SDK, relative to the client's (and so the iframe's) origin.
const SDK_URL: &str = "/api/ui/htmlClientSdk.js";
const SDK_GLOBAL: &str = "htmlClientSdk";

thread_local! {
    // A JS object is not `Send`, so it cannot live in a signal; the app has one thread anyway.
    static SDK: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// What the `#/create` and `#/vchs` routes are about: the manifest's `scope` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Datacenter,
    Cluster,
    Host,
    Pool,
    /// A virtual machine: the VCH page when it is a VCH's appliance.
    Vm,
}

impl Scope {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "datacenter" => Some(Self::Datacenter),
            "cluster" => Some(Self::Cluster),
            "host" => Some(Self::Host),
            "pool" => Some(Self::Pool),
            "vm" => Some(Self::Vm),
            _ => None,
        }
    }

    /// The vSphere type of the context object this scope announces.
    fn object_type(self) -> &'static str {
        match self {
            Self::Datacenter => "Datacenter",
            Self::Cluster => "ClusterComputeResource",
            Self::Host => "HostSystem",
            Self::Pool => "ResourcePool",
            Self::Vm => "VirtualMachine",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/create?scope=…`: the wizard in a modal opened from an object's Actions menu.
    Create(Option<Scope>),
    /// `#/vchs?scope=…`, and anything unknown: the list of VCHs.
    Vchs(Option<Scope>),
    /// `#/vch?scope=vm`: the monitor view of a VM, the VCH page when the VM is a VCH's appliance.
    Vch(Option<Scope>),
}

impl Route {
    /// Parses `location.hash`; an unknown or missing scope means no preselection.
    pub fn parse(hash: &str) -> Self {
        let route = hash.strip_prefix('#').unwrap_or(hash);
        let (path, query) = route.split_once('?').unwrap_or((route, ""));
        let scope = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("scope="))
            .and_then(Scope::parse);
        match path {
            "/create" => Self::Create(scope),
            "/vch" => Self::Vch(scope),
            _ => Self::Vchs(scope),
        }
    }
}

/// A context object id, `urn:vmomi:<Type>:<moid>:<vCenter instance UUID>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub moid: String,
    pub vc_guid: String,
}

impl ObjectRef {
    pub fn parse(id: &str) -> Option<Self> {
        let mut parts = id.strip_prefix("urn:vmomi:")?.splitn(3, ':');
        let (kind, moid, vc_guid) = (parts.next()?, parts.next()?, parts.next()?);
        if [kind, moid, vc_guid].iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(Self {
            kind: kind.to_owned(),
            moid: moid.to_owned(),
            vc_guid: vc_guid.to_owned(),
        })
    }
}

/// The datacenter and compute resource path the wizard starts with for `object`.
pub fn preselection(
    object: &ObjectRef,
    snapshot: &InventorySnapshot,
) -> Option<(String, Option<String>)> {
    snapshot.datacenters.iter().find_map(|dc| {
        let found = match object.kind.as_str() {
            "Datacenter" => (dc.id == object.moid).then_some(None),
            "ClusterComputeResource" => dc
                .compute_resources
                .iter()
                .find(|cr| cr.id == object.moid)
                .map(|cr| Some(cr.path.clone())),
            // A standalone host is chosen as its compute resource, as the wizard's tree does.
            "HostSystem" => dc.hosts.iter().find(|h| h.id == object.moid).map(|h| {
                let standalone = dc.compute_resources.iter().find(|cr| {
                    cr.kind == ComputeKind::StandaloneHost && cr.path == h.compute_resource
                });
                Some(standalone.map_or_else(|| h.path.clone(), |cr| cr.path.clone()))
            }),
            // The root pool (`Resources`, listed first) stands for its cluster or host.
            "ResourcePool" => dc.compute_resources.iter().find_map(|cr| {
                let index = cr
                    .resource_pools
                    .iter()
                    .position(|rp| rp.id == object.moid)?;
                Some(Some(if index == 0 {
                    cr.path.clone()
                } else {
                    cr.resource_pools[index].path.clone()
                }))
            }),
            _ => None,
        }?;
        Some((dc.name.clone(), found))
    })
}

/// The page of the VCH whose appliance is the view's context object; the list when the VM is
/// not a VCH's (any VM has the monitor view).
fn vch_of(objects: &[ObjectRef], scope: Option<Scope>, app: &AppContext) -> Page {
    let wanted = scope.map(Scope::object_type);
    let Some(vm) = objects.iter().find(|o| Some(o.kind.as_str()) == wanted) else {
        return Page::Home;
    };
    let is_vch = app.inventory.with_untracked(|i| {
        i.snapshot().is_some_and(|s| {
            s.datacenters
                .iter()
                .any(|dc| dc.vchs.iter().any(|v| v.id == vm.moid))
        })
    });
    if is_vch {
        Page::Vch {
            id: vm.moid.clone(),
        }
    } else {
        Page::Home
    }
}

/// The vSphere Client around the app, if any; provided as context by [`crate::App`].
#[derive(Clone, Copy)]
pub struct PluginHost {
    hosted: RwSignal<bool>,
    /// The object an Actions-menu modal was opened for, when its type matches the route's scope.
    preselect: RwSignal<Option<ObjectRef>>,
    in_modal: RwSignal<bool>,
    sign_in_failed: RwSignal<Option<FetchError>>,
}

impl PluginHost {
    pub fn new() -> Self {
        Self {
            hosted: RwSignal::new(false),
            preselect: RwSignal::new(None),
            in_modal: RwSignal::new(false),
            sign_in_failed: RwSignal::new(None),
        }
    }

    pub fn is_hosted(self) -> bool {
        self.hosted.get()
    }

    /// Takes over start-up when the vSphere Client hosts the app: theme, session, route. Returns
    /// `false` (having changed nothing) for the stand-alone page.
    pub async fn start(self, app: AppContext) -> bool {
        let Some(sdk) = find_sdk().await else {
            return false;
        };
        callback(|cb| {
            let _ = call(&sdk, &["initialize"], &[cb]);
        })
        .await;
        SDK.with(|s| *s.borrow_mut() = Some(sdk.clone()));
        self.hosted.set(true);
        follow_theme(&sdk);

        let route = Route::parse(&window().location().hash().unwrap_or_default());
        let objects = context_objects(&sdk);
        if let Route::Create(scope) = route {
            self.in_modal.set(true);
            let wanted = scope.map(Scope::object_type);
            self.preselect.set(
                objects
                    .iter()
                    .find(|o| Some(o.kind.as_str()) == wanted)
                    .cloned(),
            );
        }

        let session = match api::current_session().await {
            Ok(session) => Ok(session),
            Err(_) => clone_client_session(&sdk, objects.first()).await,
        };
        match session {
            Ok(session) => {
                app.session.set(Some(session));
                // The wizard fills its draft from the snapshot once, when it opens: load it first.
                app.inventory.set(Inventory::Loading);
                app.inventory.set(match api::inventory(false).await {
                    Ok(snapshot) => Inventory::Loaded(std::sync::Arc::new(snapshot)),
                    Err(e) => Inventory::Failed(e),
                });
                app.page.set(match route {
                    Route::Create(_) => Page::NewVch,
                    Route::Vchs(_) => Page::Home,
                    Route::Vch(scope) => vch_of(&objects, scope, &app),
                });
            }
            Err(e) => {
                // A password still works: the proxy, not the client, talks to vCenter.
                self.sign_in_failed.set(Some(e));
                app.page.set(Page::Connect);
            }
        }
        true
    }

    /// Fills the wizard's fresh draft with the object the modal was opened for.
    pub fn preselect(self, config: &mut VchConfig, snapshot: Option<&InventorySnapshot>) {
        let found = self.preselect.with_untracked(|object| {
            object
                .as_ref()
                .zip(snapshot)
                .and_then(|(o, s)| preselection(o, s))
        });
        if let Some((datacenter, compute_resource)) = found {
            config.target.datacenter = Some(datacenter);
            if compute_resource.is_some() {
                config.target.compute_resource = compute_resource;
            }
        }
    }

    /// Ends the modal the vSphere Client opened the wizard in, handing it `result`; `false` when
    /// there is no such modal and the app should carry on by itself.
    pub fn close_modal(self, result: Option<ModalResult>) -> bool {
        if !self.in_modal.get_untracked() {
            return false;
        }
        let result = result.and_then(|r| to_js(&r)).unwrap_or(JsValue::UNDEFINED);
        SDK.with(|s| {
            s.borrow()
                .as_ref()
                .is_some_and(|sdk| call(sdk, &["modal", "close"], &[result]).is_some())
        })
    }
}

impl Default for PluginHost {
    fn default() -> Self {
        Self::new()
    }
}

/// What `modal.close` hands the vSphere Client after Finish: the create job that now runs.
#[derive(Debug, Clone, Serialize)]
pub struct ModalResult {
    pub job: String,
    pub name: String,
}

/// Why the client's session could not be reused, above the password form.
#[component]
pub fn SignInProblem() -> impl IntoView {
    let host = expect_context::<PluginHost>();
    move || {
        host.sign_in_failed.get().map(|error| {
            view! { <ErrorAlert title="Could not sign in with your vSphere Client session" error=error/> }
        })
    }
}

/// The SDK if this page is a vSphere Client view: already loaded, or loadable from the client.
async fn find_sdk() -> Option<JsValue> {
    let window = window();
    let top = window.top().ok().flatten()?;
    if Object::is(&top, &window) {
        return None;
    }
    if let Some(sdk) = global_sdk() {
        return Some(sdk);
    }
    let script = document().create_element("script").ok()?;
    script.set_attribute("src", SDK_URL).ok()?;
    let loaded = callback2(|ok, failed| {
        let _ = Reflect::set(&script, &"onload".into(), &ok);
        let _ = Reflect::set(&script, &"onerror".into(), &failed);
    });
    document().body()?.append_child(&script).ok()?;
    loaded.await.ok()?;
    global_sdk()
}

fn global_sdk() -> Option<JsValue> {
    Reflect::get(&window(), &SDK_GLOBAL.into())
        .ok()
        .filter(JsValue::is_object)
}

fn context_objects(sdk: &JsValue) -> Vec<ObjectRef> {
    call(sdk, &["app", "getContextObjects"], &[])
        .and_then(|list| list.dyn_into::<Array>().ok())
        .map(|list| {
            list.iter()
                .filter_map(|o| Reflect::get(&o, &"id".into()).ok()?.as_string())
                .filter_map(|id| ObjectRef::parse(&id))
                .collect()
        })
        .unwrap_or_default()
}

/// Applies the client's theme now and whenever the person switches it there.
fn follow_theme(sdk: &JsValue) {
    if let Some(theme) = call(sdk, &["app", "getTheme"], &[]) {
        apply_theme(&theme);
    }
    let on_change = Closure::<dyn FnMut(JsValue)>::new(|theme: JsValue| apply_theme(&theme));
    let _ = call(
        sdk,
        &["event", "onThemeChanged"],
        &[on_change.as_ref().clone()],
    );
    // Subscribed for the page's lifetime.
    on_change.forget();
}

/// The SDK's theme is `{name: "light" | "dark"}`; a bare string is taken too.
fn apply_theme(theme: &JsValue) {
    let name = theme
        .as_string()
        .or_else(|| Reflect::get(theme, &"name".into()).ok()?.as_string());
    let value = match name.as_deref() {
        Some("dark") => "dark",
        Some("light") => "light",
        _ => return,
    };
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-theme", value);
    }
}

#[derive(Serialize)]
struct CloneBody {
    target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    vc_guid: Option<String>,
}

/// Turns the client's own session into one for the proxy, so nobody types a password. The vCenter
/// is the host the client was opened on: the iframe shares its origin.
async fn clone_client_session(
    sdk: &JsValue,
    object: Option<&ObjectRef>,
) -> Result<api::SessionInfo, FetchError> {
    let info = callback(|cb| {
        let _ = call(sdk, &["app", "getSessionInfo"], &[cb]);
    })
    .await;
    let token = Reflect::get(&info, &"sessionToken".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let body = CloneBody {
        target: window().location().host().unwrap_or_default(),
        vc_guid: object.map(|o| o.vc_guid.clone()),
    };
    api::clone_session(&token, &body).await
}

fn to_js<T: Serialize>(value: &T) -> Option<JsValue> {
    let json = serde_json::to_string(value).ok()?;
    js_sys::JSON::parse(&json).ok()
}

/// Calls `target.a.b.method(args…)` with `this` = `target.a.b`; `None` when any part is missing
/// or the call throws, so an older SDK without a method degrades rather than breaks.
fn call(target: &JsValue, path: &[&str], args: &[JsValue]) -> Option<JsValue> {
    let (method, owners) = path.split_last()?;
    let mut this = target.clone();
    for key in owners {
        this = Reflect::get(&this, &(*key).into())
            .ok()
            .filter(JsValue::is_object)?;
    }
    let function = Reflect::get(&this, &(*method).into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    function.apply(&this, &args.iter().collect::<Array>()).ok()
}

/// A one-shot value delivered by a JS callback (the SDK's API is callback-based).
struct Shot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

struct ShotFuture<T>(Rc<RefCell<Shot<T>>>);

impl<T> Future for ShotFuture<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut shot = self.0.borrow_mut();
        match shot.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                shot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

fn deliver<T>(shot: &Rc<RefCell<Shot<T>>>, value: T) {
    let waker = {
        let mut shot = shot.borrow_mut();
        if shot.value.is_some() {
            return;
        }
        shot.value = Some(value);
        shot.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Hands `register` a JS callback and resolves with the first value it is called with.
fn callback(register: impl FnOnce(JsValue)) -> ShotFuture<JsValue> {
    let shot = Rc::new(RefCell::new(Shot {
        value: None,
        waker: None,
    }));
    let cb = {
        let shot = Rc::clone(&shot);
        Closure::<dyn FnMut(JsValue)>::new(move |v| deliver(&shot, v))
    };
    register(cb.as_ref().clone());
    // The SDK may call back at any later time; one small closure per call, a few per page.
    cb.forget();
    ShotFuture(shot)
}

/// Like [`callback`] with a success and a failure callback.
fn callback2(register: impl FnOnce(JsValue, JsValue)) -> ShotFuture<Result<JsValue, JsValue>> {
    let shot = Rc::new(RefCell::new(Shot {
        value: None,
        waker: None,
    }));
    let ok = {
        let shot = Rc::clone(&shot);
        Closure::<dyn FnMut(JsValue)>::new(move |v| deliver(&shot, Ok(v)))
    };
    let failed = {
        let shot = Rc::clone(&shot);
        Closure::<dyn FnMut(JsValue)>::new(move |e| deliver(&shot, Err(e)))
    };
    register(ok.as_ref().clone(), failed.as_ref().clone());
    ok.forget();
    failed.forget();
    ShotFuture(shot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> InventorySnapshot {
        serde_json::from_value(serde_json::json!({ "schema": 2, "datacenters": [{
            "name": "DC0", "path": "/DC0", "id": "datacenter-2",
            "compute_resources": [
                { "name": "DC0_C0", "path": "/DC0/host/DC0_C0", "id": "domain-c7", "kind": "cluster",
                  "hosts": ["/DC0/host/DC0_C0/DC0_C0_H0"],
                  "resource_pools": [
                    { "name": "Resources", "path": "/DC0/host/DC0_C0/Resources", "id": "resgroup-8" },
                    { "name": "RP1", "path": "/DC0/host/DC0_C0/Resources/RP1", "id": "resgroup-9" }
                  ] },
                { "name": "DC0_H0", "path": "/DC0/host/DC0_H0", "id": "domain-s1", "kind": "standalone_host",
                  "hosts": ["/DC0/host/DC0_H0/DC0_H0"] }
            ],
            "hosts": [
                { "name": "DC0_C0_H0", "path": "/DC0/host/DC0_C0/DC0_C0_H0", "id": "host-21",
                  "compute_resource": "/DC0/host/DC0_C0", "connection_state": "connected", "firewall": null },
                { "name": "DC0_H0", "path": "/DC0/host/DC0_H0/DC0_H0", "id": "host-12",
                  "compute_resource": "/DC0/host/DC0_H0", "connection_state": "connected", "firewall": null }
            ]
        }]}))
        .expect("a valid snapshot")
    }

    fn select(id: &str) -> Option<(String, Option<String>)> {
        preselection(&ObjectRef::parse(id).expect("a context id"), &snapshot())
    }

    #[test]
    fn context_ids_split_into_type_moid_and_vcenter() {
        assert_eq!(
            ObjectRef::parse("urn:vmomi:HostSystem:host-21:5c1d2e8f-0a4b"),
            Some(ObjectRef {
                kind: "HostSystem".into(),
                moid: "host-21".into(),
                vc_guid: "5c1d2e8f-0a4b".into(),
            })
        );
        for bad in [
            "host-21",
            "urn:vmomi:HostSystem:host-21",
            "urn:vmomi::host-21:guid",
        ] {
            assert_eq!(ObjectRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn routes_come_from_the_hash_and_unknown_scopes_preselect_nothing() {
        assert_eq!(
            Route::parse("#/create?scope=cluster"),
            Route::Create(Some(Scope::Cluster))
        );
        assert_eq!(Route::parse("#/create?scope=vapp"), Route::Create(None));
        assert_eq!(Route::parse("#/create"), Route::Create(None));
        assert_eq!(
            Route::parse("#/vchs?scope=host"),
            Route::Vchs(Some(Scope::Host))
        );
        assert_eq!(Route::parse(""), Route::Vchs(None));
        assert_eq!(Route::parse("#/vch?scope=vm"), Route::Vch(Some(Scope::Vm)));
    }

    #[test]
    fn each_object_kind_maps_to_the_path_the_compute_tree_offers() {
        let dc = |cr: Option<&str>| Some(("DC0".to_owned(), cr.map(str::to_owned)));
        assert_eq!(select("urn:vmomi:Datacenter:datacenter-2:g"), dc(None));
        assert_eq!(
            select("urn:vmomi:ClusterComputeResource:domain-c7:g"),
            dc(Some("/DC0/host/DC0_C0"))
        );
        assert_eq!(
            select("urn:vmomi:HostSystem:host-12:g"),
            dc(Some("/DC0/host/DC0_H0"))
        );
        assert_eq!(
            select("urn:vmomi:HostSystem:host-21:g"),
            dc(Some("/DC0/host/DC0_C0/DC0_C0_H0"))
        );
        assert_eq!(
            select("urn:vmomi:ResourcePool:resgroup-8:g"),
            dc(Some("/DC0/host/DC0_C0"))
        );
        assert_eq!(
            select("urn:vmomi:ResourcePool:resgroup-9:g"),
            dc(Some("/DC0/host/DC0_C0/Resources/RP1"))
        );
        assert_eq!(
            select("urn:vmomi:ClusterComputeResource:domain-c99:g"),
            None
        );
        assert_eq!(select("urn:vmomi:VirtualMachine:vm-1:g"), None);
    }
}
