//! Runs govmomi's vSphere simulator (`tests/vcsim`, a small Go program) as a child process, for
//! integration tests and `vch serve --simulator`.
//!
//! The binary is `$VCH_VCSIM_BIN`, else `vch-vcsim` next to the current executable, else it is
//! built from `tests/vcsim` with the Debian Go toolchain and govmomi sources (offline, GOPATH
//! mode) into `$CARGO_TARGET_DIR` (or a cache directory), and rebuilt when a source is newer.
//!
//! The child gets `-exit-on-stdin-eof` and a pipe as stdin that only this handle holds, so it
//! exits even when the parent is killed without running destructors. Its `TMPDIR` is the
//! handle's private work directory, so the simulator's datastore directories go away with the
//! handle even when the child had to be killed before it could clean up itself.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use url::Url;

/// Name of the Go binary, beside the current executable or in the build directory.
pub const BINARY_NAME: &str = "vch-vcsim";
/// Overrides where the simulator binary is taken from.
pub const BINARY_ENV: &str = "VCH_VCSIM_BIN";
/// Where Debian's `golang-github-vmware-govmomi-dev` puts the sources we build against.
pub const DEBIAN_GOPATH: &str = "/usr/share/gocode";
const GO_PACKAGES_HINT: &str = "install the Debian packages golang-go and golang-github-vmware-govmomi-dev, or set VCH_VCSIM_BIN to a built vch-vcsim";
const SOURCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vcsim");
/// How much of the child's stderr is kept for error messages.
const STDERR_TAIL_LINES: usize = 60;
/// The Go side bounds its own shutdown at 2 s; this covers inventory cleanup on top of that.
const GRACEFUL_STOP: Duration = Duration::from_secs(5);

/// Which kind of endpoint the simulator pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Model {
    /// vCenter: `about.apiType` = `VirtualCenter`, with an ExtensionManager that implements
    /// plugin registration.
    #[default]
    Vpx,
    /// A standalone ESXi host: `about.apiType` = `HostAgent`, no ExtensionManager.
    Esx,
}

/// How the simulator serves its SDK endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tls {
    /// Plain `http://`.
    #[default]
    Off,
    /// `https://` with a freshly generated ECDSA P-256 leaf certificate for 127.0.0.1/localhost;
    /// see [`Simulator::cert_pem`].
    Generate,
    /// `https://` with our own certificate and key (PEM files).
    Files { cert: PathBuf, key: PathBuf },
    /// `https://` with the simulator's built-in 1024-bit RSA CA certificate, which rustls
    /// rejects; only useful to test how the client reports a bad certificate.
    BuiltIn,
}

/// Inventory sizes; `None` keeps the model's default (see the Go program's `-help`).
/// Only `datastores` and `vms` apply to the ESX model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inventory {
    pub datacenters: Option<u32>,
    pub clusters: Option<u32>,
    /// Hosts per cluster.
    pub cluster_hosts: Option<u32>,
    /// Standalone hosts per datacenter.
    pub hosts: Option<u32>,
    /// Child resource pools per cluster.
    pub pools: Option<u32>,
    /// vApps per cluster.
    pub apps: Option<u32>,
    /// Distributed port groups per datacenter (the VPX model's `Portgroup`).
    pub portgroups: Option<u32>,
    pub nsx_portgroups: Option<u32>,
    pub opaque_networks: Option<u32>,
    pub datastores: Option<u32>,
    /// Virtual machines per host or pool.
    pub vms: Option<u32>,
    /// Datacenters placed inside a folder.
    pub folders: Option<u32>,
}

impl Inventory {
    fn flags(&self) -> [(&'static str, Option<u32>, bool); 12] {
        // (flag, value, applies to ESX)
        [
            ("-dc", self.datacenters, false),
            ("-cluster", self.clusters, false),
            ("-cluster-host", self.cluster_hosts, false),
            ("-host", self.hosts, false),
            ("-pool", self.pools, false),
            ("-app", self.apps, false),
            ("-portgroup", self.portgroups, false),
            ("-nsx-portgroup", self.nsx_portgroups, false),
            ("-opaque", self.opaque_networks, false),
            ("-datastore", self.datastores, true),
            ("-vm", self.vms, true),
            ("-folder", self.folders, false),
        ]
    }
}

/// What to start. `Default` is a plain-http vCenter model on a free port accepting any
/// non-empty credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatorOptions {
    pub model: Model,
    pub inventory: Inventory,
    pub tls: Tls,
    /// The only accepted user name and password; `None` accepts any non-empty pair.
    pub credentials: Option<(String, String)>,
    /// Fixed port on 127.0.0.1; `None` lets the simulator pick a free one.
    pub port: Option<u16>,
    /// Log every SOAP request and response on the child's stderr (forwarded to `tracing`
    /// at debug level).
    pub trace: bool,
    /// How long to wait for the simulator to listen (not counting a first build).
    pub startup_timeout: Duration,
}

impl Default for SimulatorOptions {
    fn default() -> Self {
        Self {
            model: Model::Vpx,
            inventory: Inventory::default(),
            tls: Tls::Off,
            credentials: None,
            port: None,
            trace: false,
            startup_timeout: Duration::from_secs(20),
        }
    }
}

impl SimulatorOptions {
    pub fn vpx() -> Self {
        Self::default()
    }

    pub fn esx() -> Self {
        Self {
            model: Model::Esx,
            ..Self::default()
        }
    }

    #[must_use]
    pub fn with_tls(mut self, tls: Tls) -> Self {
        self.tls = tls;
        self
    }

    #[must_use]
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    #[must_use]
    pub fn with_inventory(mut self, inventory: Inventory) -> Self {
        self.inventory = inventory;
        self
    }

    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    #[must_use]
    pub fn with_trace(mut self, trace: bool) -> Self {
        self.trace = trace;
        self
    }

    fn validate(&self) -> Result<(), SimulatorError> {
        if let Some((user, password)) = &self.credentials
            && (user.is_empty() || password.is_empty())
        {
            return Err(SimulatorError::InvalidOptions(
                "user name and password must not be empty (the simulator treats empty as \"any\")"
                    .into(),
            ));
        }
        if self.model == Model::Esx {
            for (flag, value, esx_ok) in self.inventory.flags() {
                if value.is_some() && !esx_ok {
                    return Err(SimulatorError::InvalidOptions(format!(
                        "inventory count {flag} only applies to the vCenter model"
                    )));
                }
            }
        }
        Ok(())
    }

    fn args(&self, work_dir: &Path, url_file: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "-l".into(),
            format!("127.0.0.1:{}", self.port.unwrap_or(0)).into(),
            "-urlfile".into(),
            url_file.into(),
            "-exit-on-stdin-eof".into(),
        ];
        if self.model == Model::Esx {
            args.push("-esx".into());
        }
        for (flag, value, _) in self.inventory.flags() {
            if let Some(n) = value {
                args.push(flag.into());
                args.push(n.to_string().into());
            }
        }
        match &self.tls {
            Tls::Off => {}
            Tls::Generate => {
                args.push("-tls-generate".into());
                args.push(work_dir.join("tls").into());
            }
            Tls::Files { cert, key } => {
                args.extend([
                    "-tls".into(),
                    "-cert".into(),
                    cert.into(),
                    "-key".into(),
                    key.into(),
                ]);
            }
            Tls::BuiltIn => args.push("-tls".into()),
        }
        if let Some((user, password)) = &self.credentials {
            // Visible in the process list: acceptable for a loopback test simulator.
            args.extend(["-user".into(), user.into(), "-pass".into(), password.into()]);
        }
        if self.trace {
            args.push("-trace".into());
        }
        args
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("invalid simulator options: {0}")]
    InvalidOptions(String),
    #[error("{BINARY_ENV}={} does not name an existing file", .0.display())]
    BinaryMissing(PathBuf),
    #[error("the Go toolchain (`go`) was not found to build the simulator: {GO_PACKAGES_HINT}")]
    GoMissing,
    #[error("govmomi's simulator sources are missing under {}: {GO_PACKAGES_HINT}", .0.display())]
    GovmomiMissing(PathBuf),
    #[error("the simulator sources are missing ({}); set {BINARY_ENV} to a built vch-vcsim", .0.display())]
    SourceMissing(PathBuf),
    #[error("building the simulator with `go build` failed ({status}):\n{output}")]
    BuildFailed { status: ExitStatus, output: String },
    #[error("{action}: {source}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
    #[error("the simulator exited before it was ready ({status}); its last output:\n{stderr}")]
    ExitedEarly { status: ExitStatus, stderr: String },
    #[error("the simulator did not start listening within {timeout:?}; its last output:\n{stderr}")]
    StartTimeout { timeout: Duration, stderr: String },
    #[error("the simulator reported an unusable URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("the simulator did not exit within {0:?} of being asked to and was killed")]
    StopTimeout(Duration),
}

fn io_err(action: impl Into<String>) -> impl FnOnce(io::Error) -> SimulatorError {
    let action = action.into();
    move |source| SimulatorError::Io { action, source }
}

/// A running simulator. Dropping it kills the child and deletes its files; [`Simulator::stop`]
/// lets it shut down cleanly first.
pub struct Simulator {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    url: Url,
    username: String,
    password: String,
    cert_path: Option<PathBuf>,
    cert_pem: Option<String>,
    model: Model,
    work_dir: PathBuf,
    stderr: StderrTail,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("model", &self.model)
            .field("cert_path", &self.cert_path)
            .field("pid", &self.pid())
            .field("work_dir", &self.work_dir)
            .finish()
    }
}

impl Simulator {
    /// Finds or builds the binary, starts it and waits until it listens.
    pub async fn start(options: SimulatorOptions) -> Result<Simulator, SimulatorError> {
        options.validate()?;
        let binary = locate_binary().await?;
        let work_dir = create_work_dir()?;
        // From here on a failure must not leave the work dir behind; a guard value would have
        // to be defused on success, so do it explicitly.
        match spawn(&binary, &options, &work_dir).await {
            Ok(sim) => Ok(sim),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&work_dir);
                Err(e)
            }
        }
    }

    /// The SDK endpoint, e.g. `http://127.0.0.1:34159/sdk`, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        let port = self.url.port().unwrap_or(0);
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// The fixed user name, or `user` when any credentials are accepted.
    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    pub fn model(&self) -> Model {
        self.model
    }

    /// The server certificate file for [`Tls::Generate`] and [`Tls::Files`].
    pub fn cert_path(&self) -> Option<&Path> {
        self.cert_path.as_deref()
    }

    /// The server certificate (PEM) for [`Tls::Generate`] and [`Tls::Files`], to use as the
    /// only trusted root.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// SHA-256 of the server certificate, colon-separated uppercase hex as vCenter shows it.
    pub fn cert_thumbprint_sha256(&self) -> Option<String> {
        let pem = self.cert_pem.as_deref()?;
        let der = pem_certificate_der(pem)?;
        Some(colon_hex(&Sha256::digest(der)))
    }

    /// The child's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// The last lines the simulator wrote on stderr.
    pub fn stderr_tail(&self) -> String {
        self.stderr.text()
    }

    /// Asks the simulator to shut down (closing its stdin), waits for it, kills it if it does
    /// not exit in time, and deletes its files. Errors are logged.
    pub async fn stop(self) {
        if let Err(e) = self.shutdown().await {
            tracing::warn!(error = %e, "stopping the simulator");
        }
    }

    /// Like [`Simulator::stop`], but reports how the child ended.
    pub async fn shutdown(mut self) -> Result<ExitStatus, SimulatorError> {
        drop(self.stdin.take());
        let Some(mut child) = self.child.take() else {
            return Err(SimulatorError::Io {
                action: "stopping the simulator".into(),
                source: io::Error::other("already stopped"),
            });
        };
        // Drop removes the work dir afterwards.
        match tokio::time::timeout(GRACEFUL_STOP, child.wait()).await {
            Ok(status) => status.map_err(io_err("waiting for the simulator to exit")),
            Err(_) => {
                let _ = child.kill().await;
                Err(SimulatorError::StopTimeout(GRACEFUL_STOP))
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Some(child) = self.child.as_mut() {
            // No async wait possible here: kill outright. The datastore dirs live in the work
            // dir (the child's TMPDIR), so nothing is left behind; tokio reaps the process.
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.work_dir);
    }
}

async fn spawn(
    binary: &Path,
    options: &SimulatorOptions,
    work_dir: &Path,
) -> Result<Simulator, SimulatorError> {
    let url_file = work_dir.join("url");
    let tmp_dir = work_dir.join("tmp");
    std::fs::create_dir(&tmp_dir).map_err(io_err(format!("creating {}", tmp_dir.display())))?;

    let mut child = Command::new(binary)
        .args(options.args(work_dir, &url_file))
        .env("TMPDIR", &tmp_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(io_err(format!("starting {}", binary.display())))?;
    let stdin = child.stdin.take();
    let stderr = StderrTail::default();
    if let Some(pipe) = child.stderr.take() {
        stderr.follow(pipe);
    }

    let raw_url = match wait_for_url(&mut child, &url_file, options.startup_timeout, &stderr).await
    {
        Ok(url) => url,
        Err(e) => {
            let _ = child.kill().await;
            return Err(e);
        }
    };
    let (url, url_user, url_password) = split_credentials(&raw_url)?;
    let (username, password) = match &options.credentials {
        Some((user, password)) => (user.clone(), password.clone()),
        None => (url_user, url_password),
    };

    let cert_path = match &options.tls {
        Tls::Generate => Some(work_dir.join("tls").join("cert.pem")),
        Tls::Files { cert, .. } => Some(cert.clone()),
        Tls::Off | Tls::BuiltIn => None,
    };
    let cert_pem = match &cert_path {
        Some(path) => Some(
            tokio::fs::read_to_string(path)
                .await
                .map_err(io_err(format!("reading {}", path.display())))?,
        ),
        None => None,
    };

    Ok(Simulator {
        child: Some(child),
        stdin,
        url,
        username,
        password,
        cert_path,
        cert_pem,
        model: options.model,
        work_dir: work_dir.to_path_buf(),
        stderr,
    })
}

async fn wait_for_url(
    child: &mut Child,
    url_file: &Path,
    timeout: Duration,
    stderr: &StderrTail,
) -> Result<String, SimulatorError> {
    let deadline = Instant::now() + timeout;
    loop {
        // The Go side writes the file atomically (rename), so any content is complete.
        match tokio::fs::read_to_string(url_file).await {
            Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(format!("reading {}", url_file.display()))(e)),
        }
        if let Some(status) = child
            .try_wait()
            .map_err(io_err("checking on the simulator"))?
        {
            // Give the stderr reader a moment to collect the reason.
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Err(SimulatorError::ExitedEarly {
                status,
                stderr: stderr.text(),
            });
        }
        if Instant::now() >= deadline {
            return Err(SimulatorError::StartTimeout {
                timeout,
                stderr: stderr.text(),
            });
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Splits `http://user:pass@127.0.0.1:1234/sdk` into the bare URL and decoded credentials.
fn split_credentials(raw: &str) -> Result<(Url, String, String), SimulatorError> {
    let bad = |reason: &str| SimulatorError::BadUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.port().is_none() {
        return Err(bad("expected http(s)://host:port/sdk"));
    }
    let user = percent_decode(url.username())
        .ok_or_else(|| bad("bad percent-encoding in the user name"))?;
    let password = percent_decode(url.password().unwrap_or(""))
        .ok_or_else(|| bad("bad percent-encoding in the password"))?;
    url.set_username("")
        .map_err(|()| bad("cannot strip the user name"))?;
    url.set_password(None)
        .map_err(|()| bad("cannot strip the password"))?;
    Ok((url, user, password))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn pem_certificate_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let begin = "-----BEGIN CERTIFICATE-----";
    let start = pem.find(begin)? + begin.len();
    let end = start + pem[start..].find("-----END CERTIFICATE-----")?;
    let b64: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// The last lines of the child's stderr, also forwarded to `tracing`.
#[derive(Debug, Clone, Default)]
struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn follow(&self, pipe: tokio::process::ChildStderr) {
        let tail = self.clone();
        // Keeps draining for the child's whole life so it never blocks on a full pipe.
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(target: "vch::simulator", "{line}");
                if let Ok(mut tail) = tail.0.lock() {
                    if tail.len() == STDERR_TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            }
        });
    }

    fn text(&self) -> String {
        match self.0.lock() {
            Ok(tail) => tail
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            Err(_) => String::new(),
        }
    }
}

fn create_work_dir() -> Result<PathBuf, SimulatorError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("vch-vcsim-{}-{n}-{nanos:08x}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            // Left over from an earlier process with the same pid: pick the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(format!("creating {}", dir.display()))(e)),
        }
    }
}

/// `$VCH_VCSIM_BIN`, else `vch-vcsim` beside the current executable, else a build from source.
pub async fn locate_binary() -> Result<PathBuf, SimulatorError> {
    if let Some(path) = std::env::var_os(BINARY_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(SimulatorError::BinaryMissing(path))
        };
    }
    if let Some(path) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(BINARY_NAME)))
        .filter(|path| path.is_file())
    {
        return Ok(path);
    }
    build_from_source(Path::new(SOURCE_DIR), &build_dir()).await
}

fn build_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        });
    match cache {
        Some(dir) => dir.join("vch-deploy"),
        None => std::env::temp_dir().join("vch-deploy-cache"),
    }
}

/// Builds `source_dir` into `out_dir/vch-vcsim` unless the binary is newer than every `.go`
/// source. Concurrent callers in this process share one build; other processes are safe
/// because the binary is renamed into place.
pub async fn build_from_source(
    source_dir: &Path,
    out_dir: &Path,
) -> Result<PathBuf, SimulatorError> {
    static BUILD_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _guard = BUILD_LOCK.lock().await;

    let binary = out_dir.join(BINARY_NAME);
    let newest_source = newest_go_source(source_dir)?;
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
    if built.is_some_and(|built| built >= newest_source) {
        return Ok(binary);
    }

    let govmomi = Path::new(DEBIAN_GOPATH).join("src/github.com/vmware/govmomi/simulator");
    if !govmomi.is_dir() {
        return Err(SimulatorError::GovmomiMissing(govmomi));
    }
    std::fs::create_dir_all(out_dir).map_err(io_err(format!("creating {}", out_dir.display())))?;
    let partial = out_dir.join(format!("{BINARY_NAME}.partial-{}", std::process::id()));

    tracing::info!(source = %source_dir.display(), output = %binary.display(), "building the vSphere simulator");
    let mut command = Command::new("go");
    command
        .arg("build")
        .arg("-o")
        .arg(&partial)
        .arg(".")
        .current_dir(source_dir)
        .env("GOPATH", DEBIAN_GOPATH)
        .env("GO111MODULE", "off")
        // Offline build: never let a user's GOFLAGS/GOPROXY send go to the network.
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if std::env::var_os("GOCACHE").is_none() {
        // Go refuses to build without a cache dir when HOME is unset (some CI sandboxes).
        command.env("GOCACHE", out_dir.join("vch-vcsim-gocache"));
    }
    let output = match command.output().await {
        Ok(output) => output,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(SimulatorError::GoMissing),
        Err(e) => return Err(io_err("running `go build`")(e)),
    };
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        return Err(SimulatorError::BuildFailed {
            status: output.status,
            output: text,
        });
    }
    std::fs::rename(&partial, &binary)
        .map_err(io_err(format!("moving the build to {}", binary.display())))?;
    Ok(binary)
}

fn newest_go_source(dir: &Path) -> Result<SystemTime, SimulatorError> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => SimulatorError::SourceMissing(dir.to_path_buf()),
        _ => io_err(format!("reading {}", dir.display()))(e),
    })?;
    let mut newest = None;
    for entry in entries {
        let entry = entry.map_err(io_err(format!("reading {}", dir.display())))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.ends_with(".go") || name.ends_with("_test.go") {
            continue;
        }
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .map_err(io_err(format!("reading {}", entry.path().display())))?;
        newest = newest.max(Some(modified));
    }
    newest.ok_or_else(|| SimulatorError::SourceMissing(dir.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_split_and_decoded() {
        let (url, user, password) =
            split_credentials("https://root:s3cret%21%40@127.0.0.1:34159/sdk").unwrap();
        assert_eq!(url.as_str(), "https://127.0.0.1:34159/sdk");
        assert_eq!(user, "root");
        assert_eq!(password, "s3cret!@");
    }

    #[test]
    fn urls_without_a_port_or_with_bad_escapes_are_rejected() {
        assert!(matches!(
            split_credentials("http://u:p@127.0.0.1/sdk"),
            Err(SimulatorError::BadUrl { .. })
        ));
        assert!(matches!(
            split_credentials("not a url"),
            Err(SimulatorError::BadUrl { .. })
        ));
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("a%zz"), None);
        assert_eq!(percent_decode("a%C3%A9"), Some("aé".into()));
    }

    #[test]
    fn options_become_flags() {
        let options = SimulatorOptions::esx()
            .with_tls(Tls::Generate)
            .with_credentials("root", "pw")
            .with_port(8989)
            .with_inventory(Inventory {
                vms: Some(0),
                ..Inventory::default()
            });
        let args: Vec<String> = options
            .args(Path::new("/w"), Path::new("/w/url"))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "-l",
                "127.0.0.1:8989",
                "-urlfile",
                "/w/url",
                "-exit-on-stdin-eof",
                "-esx",
                "-vm",
                "0",
                "-tls-generate",
                "/w/tls",
                "-user",
                "root",
                "-pass",
                "pw"
            ]
        );
    }

    #[test]
    fn invalid_options_are_refused_before_spawning() {
        let esx_cluster = SimulatorOptions::esx().with_inventory(Inventory {
            clusters: Some(2),
            ..Inventory::default()
        });
        assert!(
            matches!(esx_cluster.validate(), Err(SimulatorError::InvalidOptions(m)) if m.contains("-cluster"))
        );
        let empty = SimulatorOptions::vpx().with_credentials("root", "");
        assert!(matches!(
            empty.validate(),
            Err(SimulatorError::InvalidOptions(_))
        ));
        assert!(SimulatorOptions::default().validate().is_ok());
    }

    #[test]
    fn thumbprint_is_colon_hex_of_the_der() {
        assert_eq!(colon_hex(&[0x0a, 0xff, 0x00]), "0A:FF:00");
        let pem = "-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(pem_certificate_der(pem), Some(vec![0, 1, 2, 3]));
    }

    #[test]
    fn missing_sources_are_reported() {
        let dir = std::env::temp_dir().join(format!("vch-vcsim-nosrc-{}", std::process::id()));
        assert!(matches!(
            newest_go_source(&dir),
            Err(SimulatorError::SourceMissing(_))
        ));
    }
}
