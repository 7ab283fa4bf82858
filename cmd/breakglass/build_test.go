package main

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The release recipe is the Makefile's: `make build-static` is what the
// Dockerfile and the GitHub Action run and what `make release` runs per
// platform. These tests build it once, natively (the cross-compile is too
// slow for every test run), with the version stamps set.
const (
	stampVersion = "v9.8.7-test"
	stampCommit  = "0123456789abcdef0123456789abcdef01234567"
	stampDate    = "2026-01-02T03:04:05Z"
)

var (
	stampedOnce sync.Once
	stampedBin  string
	stampedErr  string
)

// stampedBinary builds ../../ with `make build-static` and the stamps above
// into a directory that outlives the test that asked first.
func stampedBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary with make (-short)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	stampedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "breakglass-build-")
		if err != nil {
			stampedErr = err.Error()
			return
		}
		bin := filepath.Join(dir, "breakglass")
		cmd := exec.Command("make", "-s", "build-static", "BIN="+bin,
			"VERSION="+stampVersion, "COMMIT="+stampCommit, "BUILD_DATE="+stampDate)
		cmd.Dir = "../.."
		cmd.Env = makeEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			stampedErr = "make build-static: " + err.Error() + "\n" + string(out)
			return
		}
		stampedBin = bin
	})
	if stampedErr != "" {
		t.Fatal(stampedErr)
	}
	return stampedBin
}

// makeEnv drops what an outer `make test` passes down, so the inner make
// sees only the variables given on its command line.
func makeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "MAKEFLAGS" || k == "MFLAGS" || k == "MAKELEVEL" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func TestMakeStampsVersionCommitAndDate(t *testing.T) {
	bin := stampedBinary(t)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", bin, err, out)
	}
	for _, want := range []string{
		"breakglass " + stampVersion + "\n",
		"commit:   " + stampCommit + "\n",
		"built:    " + stampDate + "\n",
		"OPA:      " + opaModuleVersion(t) + "\n",
		runtime.GOOS + "/" + runtime.GOARCH,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), stampVersion) || !strings.Contains(string(out), stampCommit) {
		t.Errorf("--version: %v\n%s", err, out)
	}
}

// opaModuleVersion is the OPA version go.mod requires, which the version
// command must report (it reads the binary's build info).
func opaModuleVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/open-policy-agent/opa (v\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod does not require github.com/open-policy-agent/opa")
	}
	return string(m[1])
}

// Without overrides the Makefile stamps the checked-out commit and its
// date (not the time of the build, so rebuilds are reproducible).
func TestMakeStampsFromGitByDefault(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	head, err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	cmd := exec.Command("make", "-n", "build-static", "BIN=x")
	cmd.Dir = "../.."
	cmd.Env = makeEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build-static: %v\n%s", err, out)
	}
	line := string(out)
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-buildvcs=false",
		"-X main.commit=" + strings.TrimSpace(string(head)), "-X main.version="} {
		if !strings.Contains(line, want) {
			t.Errorf("make build-static does not pass %q:\n%s", want, line)
		}
	}
	if !regexp.MustCompile(`-X main\.buildDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).MatchString(line) {
		t.Errorf("build date is not the commit's UTC date:\n%s", line)
	}
}

// The image's binary must run on distroless/static (no libc): built with
// CGO_ENABLED=0 and -trimpath, with no ELF interpreter or dynamic section.
func TestBuildStaticIsStatic(t *testing.T) {
	bin := stampedBinary(t)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings CGO_ENABLED=%q -trimpath=%q, want 0 and true", settings["CGO_ENABLED"], settings["-trimpath"])
	}
	if runtime.GOOS != "linux" {
		return
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has program header %v: it is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary imports %v", libs)
	}
}

// The Dockerfile builds with that same recipe and ships the binary alone,
// as a non-root user, with the binary as the entrypoint.
func TestDockerfileUsesTheStaticRecipe(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, found FROM %v", stages)
	}
	final := df[strings.LastIndex(df, "\nFROM "):]
	for _, want := range []string{"make build-static", "go mod download"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile does not run %q", want)
		}
	}
	for _, re := range []string{
		`(?m)^FROM gcr\.io/distroless/static\S*:nonroot`,  // CA certificates, tzdata, no shell
		`(?m)^USER (nonroot|65532)`,                       // not root
		`(?m)^ENTRYPOINT \["/usr/local/bin/breakglass"\]`, // exec form: no shell needed
	} {
		if !regexp.MustCompile(re).MatchString(final) {
			t.Errorf("the final stage does not match %s:\n%s", re, final)
		}
	}
	if regexp.MustCompile(`(?m)^RUN`).MatchString(final) {
		t.Errorf("the final stage runs a command, which needs a shell it does not have:\n%s", final)
	}
}
