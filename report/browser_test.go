package report_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/report"
)

// chromiumHosts are the services headless Chromium itself calls (component
// updater, network time, account check) even with background networking
// disabled; requests to them are not the page's. Anything else is.
var chromiumHosts = map[string]bool{
	"clients2.google.com": true, "update.googleapis.com": true, "accounts.google.com": true,
	"redirector.gvt1.com": true, "edgedl.me.gvt1.com": true, "optimizationguide-pa.googleapis.com": true,
	"safebrowsingohttpgateway.googleapis.com": true, "content-autofill.googleapis.com": true,
}

// recorder is an HTTP proxy on loopback that answers nothing and records
// the target of every request Chromium sends through it (with
// --proxy-bypass-list=<-loopback>, every request, including https CONNECT).
type recorder struct {
	ln   net.Listener
	mu   sync.Mutex
	seen []string
}

func newRecorder(t *testing.T) *recorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				r.mu.Lock()
				r.seen = append(r.seen, strings.TrimSpace(line))
				r.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return r
}

// pageRequests are the recorded requests not made by Chromium's own services.
func (r *recorder) pageRequests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, line := range r.seen {
		f := strings.Fields(line) // METHOD TARGET PROTO
		if len(f) < 2 {
			continue
		}
		host := f[1]
		if f[0] != "CONNECT" {
			host = strings.TrimPrefix(strings.TrimPrefix(host, "http://"), "https://")
			host = strings.SplitN(host, "/", 2)[0]
		}
		host = strings.SplitN(host, ":", 2)[0]
		if !chromiumHosts[host] {
			out = append(out, line)
		}
	}
	return out
}

var consoleLine = regexp.MustCompile(`:CONSOLE[:(]`)

// loadInChromium opens a file in headless Chromium with every request sent
// to a recording proxy and console messages logged to stderr; it returns
// the rendered DOM, the console lines and the page's requests.
func loadInChromium(t *testing.T, browser, page string, extra ...string) (dom string, console, requests []string) {
	t.Helper()
	rec := newRecorder(t)
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--disable-extensions", "--disable-domain-reliability", "--disable-breakpad", "--no-pings",
		"--user-data-dir=" + t.TempDir(),
		"--proxy-server=http://" + rec.ln.Addr().String(), "--proxy-bypass-list=<-loopback>",
		"--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
	}
	args = append(args, extra...)
	args = append(args, "file://"+page)
	cmd := exec.Command(browser, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v\n%s", browser, err, stderr.String())
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s did not finish in 90 s\n%s", browser, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if consoleLine.MatchString(line) {
			console = append(console, line)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the recorder log the last connection
	return stdout.String(), console, rec.pageRequests()
}

func findBrowser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BREAKGLASS_REQUIRE_BROWSER") != "" {
		t.Fatal("BREAKGLASS_REQUIRE_BROWSER is set but no chromium is on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: the HTML report is not tested in a browser (apt-get install chromium)")
	return ""
}

// TestHTMLInBrowser loads report.html in headless Chromium: it renders,
// logs nothing to the console and makes no network request. A control
// page with a console error and a remote image proves the harness sees
// both. With BREAKGLASS_SCREENSHOT=FILE.png it also takes a screenshot.
func TestHTMLInBrowser(t *testing.T) {
	browser := findBrowser(t)
	dir := t.TempDir()

	control := filepath.Join(dir, "control.html")
	os.WriteFile(control, []byte(`<!DOCTYPE html><html><body><h1>control</h1><img src="http://breakglass-control.test/x.png"><script>console.error("control-error")</script></body></html>`), 0o600)
	_, console, requests := loadInChromium(t, browser, control)
	if len(console) == 0 || !strings.Contains(strings.Join(console, "\n"), "control-error") {
		t.Fatalf("the harness does not see console messages: %q", console)
	}
	if len(requests) == 0 || !strings.Contains(strings.Join(requests, "\n"), "breakglass-control.test") {
		t.Fatalf("the harness does not see network requests: %q", requests)
	}

	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, report.FormatHTML, waivedReport(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	dom, console, requests := loadInChromium(t, browser, page, "--dump-dom")
	for _, want := range []string{"Break-glass account assessment", "Findings by severity", "Accepted risks", "SEC-881", "Control coverage"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	if len(requests) > 0 {
		t.Errorf("network requests:\n%s", strings.Join(requests, "\n"))
	}
	if shot := os.Getenv("BREAKGLASS_SCREENSHOT"); shot != "" {
		abs, _ := filepath.Abs(shot)
		loadInChromium(t, browser, page, "--hide-scrollbars", "--window-size=1280,2600", "--screenshot="+abs)
		if info, err := os.Stat(abs); err != nil || info.Size() == 0 {
			t.Errorf("no screenshot at %s: %v", abs, err)
		}
	}
}
