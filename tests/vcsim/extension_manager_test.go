package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/vmware/govmomi/simulator"
)

// soapClient sends hand-written envelopes, as vch's Rust client does, so the test exercises the
// simulator's XML decoding of our requests rather than govmomi's own encoder.
type soapClient struct {
	t    *testing.T
	url  string
	http *http.Client
}

func (c *soapClient) call(body string) (int, string) {
	c.t.Helper()
	env := `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
	req, err := http.NewRequest(http.MethodPost, c.url, strings.NewReader(env))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"urn:vim25/6.5"`)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := ioutil.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func (c *soapClient) ok(body string) string {
	c.t.Helper()
	status, res := c.call(body)
	if status != http.StatusOK {
		c.t.Fatalf("HTTP %d for %.60s…: %s", status, body, res)
	}
	return res
}

func (c *soapClient) fault(body, detail string) {
	c.t.Helper()
	status, res := c.call(body)
	if status != http.StatusInternalServerError || !strings.Contains(res, "<"+detail+" ") {
		c.t.Fatalf("want HTTP 500 with %s, got HTTP %d: %s", detail, status, res)
	}
}

func startVPX(t *testing.T) (*soapClient, string) {
	t.Helper()
	model := simulator.VPX()
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Remove)
	if installExtensionManager() == nil {
		t.Fatal("VPX model has no ExtensionManager")
	}
	server := model.Service.NewServer()
	t.Cleanup(server.Close)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base := *server.URL
	base.User = nil
	c := &soapClient{t: t, url: base.String(), http: &http.Client{Jar: jar}}
	c.ok(`<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>u</userName><password>p</password></Login>`)
	return c, "http://" + base.Host
}

const em = `<_this type="ExtensionManager">ExtensionManager</_this>`

func extension(key, version, url string) string {
	return fmt.Sprintf(`<extension><description><label>Virtual Container Hosts</label><summary>VCH deployment</summary></description>
<key>%s</key><company>Example</company><version>%s</version>
<server><url>%s</url><description><label>VCH</label><summary>s</summary></description><company>Example</company><type>MANIFEST_SERVER</type><adminEmail>admin@example.com</adminEmail><serverThumbprint>44:8F</serverThumbprint></server>
<client><version>%s</version><description><label>VCH</label><summary>s</summary></description><company>Example</company><type>vsphere-client-remote</type><url>%s</url></client>
<lastHeartbeatTime>2026-11-22T00:00:00Z</lastHeartbeatTime><shownInSolutionManager>false</shownInSolutionManager></extension>`,
		key, version, url, version, url)
}

func register(key, version string) string {
	return `<RegisterExtension xmlns="urn:vim25">` + em + extension(key, version, "https://proxy.example:8443/plugin.json") + `</RegisterExtension>`
}

func find(key string) string {
	return `<FindExtension xmlns="urn:vim25">` + em + `<extensionKey>` + key + `</extensionKey></FindExtension>`
}

func unregister(key string) string {
	return `<UnregisterExtension xmlns="urn:vim25">` + em + `<extensionKey>` + key + `</extensionKey></UnregisterExtension>`
}

const listExtensions = `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>
<specSet><propSet><type>ExtensionManager</type><pathSet>extensionList</pathSet></propSet>
<objectSet><obj type="ExtensionManager">ExtensionManager</obj></objectSet></specSet><options/></RetrievePropertiesEx>`

func TestExtensionLifecycle(t *testing.T) {
	c, _ := startVPX(t)
	const key = "io.example.vch.remote"

	if res := c.ok(find(key)); strings.Contains(res, "<returnval") {
		t.Fatalf("unknown key found: %s", res)
	}

	c.ok(register(key, "1.0.0"))
	res := c.ok(find(key))
	for _, want := range []string{"<key>" + key + "</key>", "<version>1.0.0</version>", "<type>vsphere-client-remote</type>",
		"<type>MANIFEST_SERVER</type>", "<serverThumbprint>44:8F</serverThumbprint>", "<label>Virtual Container Hosts</label>"} {
		if !strings.Contains(res, want) {
			t.Errorf("FindExtension lacks %s: %s", want, res)
		}
	}
	if res := c.ok(listExtensions); !strings.Contains(res, "<key>"+key+"</key>") || !strings.Contains(res, "ArrayOfExtension") {
		t.Errorf("extensionList lacks the extension: %s", res)
	}

	c.fault(register(key, "1.0.1"), "InvalidArgumentFault")

	c.ok(`<UpdateExtension xmlns="urn:vim25">` + em + extension(key, "1.1.0", "https://other.example/plugin.json") + `</UpdateExtension>`)
	res = c.ok(find(key))
	if !strings.Contains(res, "<version>1.1.0</version>") || !strings.Contains(res, "https://other.example/plugin.json") {
		t.Errorf("UpdateExtension not applied: %s", res)
	}
	c.fault(`<UpdateExtension xmlns="urn:vim25">`+em+extension("no.such.key", "1", "https://x")+`</UpdateExtension>`, "NotFoundFault")

	c.ok(register("io.example.other", "2.0.0"))
	c.ok(unregister(key))
	if res := c.ok(find(key)); strings.Contains(res, "<returnval") {
		t.Fatalf("unregistered key still found: %s", res)
	}
	res = c.ok(listExtensions)
	if strings.Contains(res, key) || !strings.Contains(res, "io.example.other") {
		t.Errorf("extensionList after unregister: %s", res)
	}
	c.fault(unregister(key), "NotFoundFault")
}

func TestRegisterExtensionWithoutKey(t *testing.T) {
	c, _ := startVPX(t)
	c.fault(register("", "1.0.0"), "InvalidArgumentFault")
}

func TestExtensionMethodsNeedSession(t *testing.T) {
	c, _ := startVPX(t)
	c.ok(`<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>`)
	c.fault(register("io.example.vch", "1.0.0"), "NotAuthenticatedFault")
}

func TestAboutListsExtensionMethods(t *testing.T) {
	_, base := startVPX(t)
	res, err := http.Get(base + "/about")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var about struct{ Methods []string }
	if err := json.NewDecoder(res.Body).Decode(&about); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, m := range about.Methods {
		have[m] = true
	}
	for _, m := range []string{"RegisterExtension", "UnregisterExtension", "FindExtension", "UpdateExtension", "RetrieveServiceContent"} {
		if !have[m] {
			t.Errorf("/about lacks %s", m)
		}
	}
}

func TestLoopbackAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:0":    "127.0.0.1:0",
		"localhost:8989": "127.0.0.1:8989",
		"[::1]:1234":     "[::1]:1234",
		"127.0.0.2:1":    "127.0.0.2:1",
	} {
		got, err := loopbackAddr(in)
		if err != nil || got != want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{":0", "0.0.0.0:0", "[::]:0", "10.0.0.1:443", "example.com:443", "127.0.0.1", "127.0.0.1:99999"} {
		if got, err := loopbackAddr(in); err == nil {
			t.Errorf("loopbackAddr(%q) = %q, want an error", in, got)
		}
	}
}
