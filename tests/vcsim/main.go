// Command vch-vcsim runs govmomi's vSphere simulator (0.24.2) for vch-deploy's tests and
// `vch serve --simulator`, with a few additions the stock vcsim lacks: a generated
// rustls-compatible TLS certificate, a URL file for the parent process, exit on stdin EOF,
// an ExtensionManager that implements plugin registration, guest program runs recorded by a
// GuestProcessManager, and snapshot reverts that restore the VM's configuration.
//
// Build offline: GOPATH=/usr/share/gocode GO111MODULE=off go build -o vch-vcsim .
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// exitUsage is the exit status for bad flags, distinct from runtime failures (1).
const exitUsage = 2

type options struct {
	esx         bool
	tls         bool
	certFile    string
	keyFile     string
	tlsGenerate string
	user        string
	pass        string
	listen      string
	urlFile     string
	trace       bool
	exitOnEOF   bool
	counts      map[string]*int
}

// countFlags maps flag names to the Model field they set; esxOK marks those that make sense
// in the ESX model (everything else would graft vCenter-only inventory onto a host agent).
var countFlags = []struct {
	name  string
	usage string
	esxOK bool
	set   func(m *simulator.Model, n int)
}{
	{"dc", "datacenters", false, func(m *simulator.Model, n int) { m.Datacenter = n }},
	{"cluster", "clusters per datacenter", false, func(m *simulator.Model, n int) { m.Cluster = n }},
	{"cluster-host", "hosts per cluster", false, func(m *simulator.Model, n int) { m.ClusterHost = n }},
	{"host", "standalone hosts per datacenter", false, func(m *simulator.Model, n int) { m.Host = n }},
	{"pool", "child resource pools per cluster", false, func(m *simulator.Model, n int) { m.Pool = n }},
	{"app", "vApps per cluster", false, func(m *simulator.Model, n int) { m.App = n }},
	{"portgroup", "distributed port groups per datacenter (the VPX model has no count for standard port groups)", false, func(m *simulator.Model, n int) { m.Portgroup = n }},
	{"nsx-portgroup", "NSX-backed distributed port groups per datacenter", false, func(m *simulator.Model, n int) { m.PortgroupNSX = n }},
	{"opaque", "opaque (NSX) networks per datacenter", false, func(m *simulator.Model, n int) { m.OpaqueNetwork = n }},
	{"datastore", "local datastores", true, func(m *simulator.Model, n int) { m.Datastore = n }},
	{"vm", "virtual machines per host/pool", true, func(m *simulator.Model, n int) { m.Machine = n }},
	{"folder", "datacenters placed inside a folder", false, func(m *simulator.Model, n int) { m.Folder = n }},
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("vch-vcsim", flag.ContinueOnError)
	o := options{counts: map[string]*int{}}
	fs.BoolVar(&o.esx, "esx", false, "simulate a standalone ESXi host instead of vCenter")
	fs.BoolVar(&o.tls, "tls", false, "serve https (with -cert/-key, or the simulator's built-in 1024-bit test certificate)")
	fs.StringVar(&o.certFile, "cert", "", "PEM certificate for -tls")
	fs.StringVar(&o.keyFile, "key", "", "PEM private key for -tls")
	fs.StringVar(&o.tlsGenerate, "tls-generate", "", "generate an ECDSA P-256 leaf certificate, write cert.pem/key.pem to `DIR` and serve https with it")
	fs.StringVar(&o.user, "user", "", "the only accepted user name (needs -pass); default: any non-empty credentials")
	fs.StringVar(&o.pass, "pass", "", "the only accepted password (needs -user)")
	fs.StringVar(&o.listen, "l", "127.0.0.1:0", "listen address; must be a loopback address")
	fs.StringVar(&o.urlFile, "urlfile", "", "write the SDK URL (with credentials) to `FILE` once listening")
	fs.BoolVar(&o.trace, "trace", false, "log SOAP requests and responses to stderr")
	fs.BoolVar(&o.exitOnEOF, "exit-on-stdin-eof", false, "shut down when stdin is closed (the parent died)")
	for _, c := range countFlags {
		o.counts[c.name] = fs.Int(c.name, 0, "number of "+c.usage+" (default: the model's)")
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "vch-vcsim: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}

	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if err := validate(&o, set); err != nil {
		fmt.Fprintf(os.Stderr, "vch-vcsim: %v\n", err)
		return exitUsage
	}

	if err := serve(&o, set); err != nil {
		fmt.Fprintf(os.Stderr, "vch-vcsim: %v\n", err)
		return 1
	}
	return 0
}

func validate(o *options, set map[string]bool) error {
	if (o.user == "") != (o.pass == "") {
		return errors.New("-user and -pass must be given together (and be non-empty)")
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return errors.New("-cert and -key must be given together")
	}
	if o.certFile != "" && !o.tls {
		return errors.New("-cert/-key need -tls")
	}
	if o.certFile != "" && o.tlsGenerate != "" {
		return errors.New("-cert/-key and -tls-generate are mutually exclusive")
	}
	for _, c := range countFlags {
		if !set[c.name] {
			continue
		}
		if *o.counts[c.name] < 0 {
			return fmt.Errorf("-%s must not be negative", c.name)
		}
		if o.esx && !c.esxOK {
			return fmt.Errorf("-%s does not apply to the ESX model", c.name)
		}
	}
	addr, err := loopbackAddr(o.listen)
	if err != nil {
		return err
	}
	o.listen = addr
	return nil
}

// loopbackAddr accepts only loopback listen addresses: the simulator has no real auth and its
// datastore HTTP endpoint serves files without any check, so it must never be reachable from
// other machines. An empty or unspecified host would bind every interface.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-l %q: %v", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("-l %q: invalid port", addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("-l %q: refusing a non-loopback address (use 127.0.0.1:PORT)", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

func serve(o *options, set map[string]bool) (err error) {
	model := simulator.VPX()
	if o.esx {
		model = simulator.ESX()
	}
	for _, c := range countFlags {
		if set[c.name] {
			c.set(model, *o.counts[c.name])
		}
	}
	simulator.Trace = o.trace

	// Model.Create makes temp datastore dirs before it can fail half-way: always clean up.
	defer model.Remove()
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the inventory: %v", err)
	}

	completeLinks()

	if !o.esx {
		// A real ESXi host has no ExtensionManager (ServiceContent.extensionManager is unset).
		installExtensionManager()
	}
	installGuestProcessManager()
	installSnapshotKeeper()

	listen := &url.URL{Host: o.listen}
	if o.user != "" {
		listen.User = url.UserPassword(o.user, o.pass)
	}
	model.Service.Listen = listen

	switch {
	case o.tlsGenerate != "":
		cert, err := generateCertificate(o.tlsGenerate)
		if err != nil {
			return fmt.Errorf("generating the TLS certificate: %v", err)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	case o.certFile != "":
		cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
		if err != nil {
			return fmt.Errorf("loading -cert/-key: %v", err)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	case o.tls:
		model.Service.TLS = new(tls.Config)
	}

	server, err := newServer(model.Service)
	if err != nil {
		return err
	}

	// Install the signal handler before announcing the URL, so a parent that stops us right
	// after reading the URL file still gets a clean shutdown.
	done := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() { done <- (<-signals).String() }()
	if o.exitOnEOF {
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			done <- "stdin closed"
		}()
	}

	u := server.URL.String()
	if o.urlFile != "" {
		if err := writeFileAtomic(o.urlFile, []byte(u+"\n")); err != nil {
			server.Close()
			return fmt.Errorf("writing -urlfile: %v", err)
		}
	}
	fmt.Println(u)

	reason := <-done
	fmt.Fprintf(os.Stderr, "vch-vcsim: shutting down (%s)\n", reason)
	closeWithin(server, 2*time.Second)
	return nil
}

// newServer turns the simulator's panic on a listen failure (e.g. port in use) into an error.
func newServer(svc *simulator.Service) (server *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the server: %v", r)
		}
	}()
	return svc.NewServer(), nil
}

// closeWithin bounds shutdown: Server.Close waits for in-flight requests, and a long
// WaitForUpdatesEx poll would otherwise keep the process (and its temp dirs) alive.
func closeWithin(server *simulator.Server, d time.Duration) {
	closed := make(chan struct{})
	go func() {
		server.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(d):
		fmt.Fprintln(os.Stderr, "vch-vcsim: requests still running, exiting anyway")
	}
}

// writeFileAtomic makes sure a reader polling for the file never sees a partial URL.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := ioutil.TempFile(filepath.Dir(path), ".vcsim-url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
