// Command bench prints the performance table of docs/performance.md: every
// row measured side by side in one run, so that ratios stay meaningful on
// a loaded machine (absolute times are not).
//
//	make bench                                   # S, M, L, XL, medians of 5
//	go run ./testdata/bench -sizes S -runs 3     # what CI runs
//
// For each size it generates a tenant (testdata/gen, seed 7) and measures:
//   - floor: a Go process doing os.ReadFile + json.Unmarshal into any of the
//     snapshot (testdata/bench/floor), whole process and in-process;
//   - scan: `breakglass scan SNAPSHOT -c CONFIG -f sarif -o FILE`, whole
//     process; in-process, engine.LoadSnapshot + engine.Scan + snapshot.IDLines
//     with an engine prepared beforehand (engine start is its own row);
//   - opa: stock `opa eval` (built from the OPA version in go.mod) of the
//     same policies and the same query on the scan's --dump-input;
//   - peak RSS of each process (getrusage);
//   - collect: requests and wall time against the fake server with added
//     latency per request (collector BenchmarkCollectSizes).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"
)

func main() {
	sizes := flag.String("sizes", "S,M,L,XL", "comma-separated tenant sizes")
	runs := flag.Int("runs", 5, "runs per measurement (the table shows medians)")
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed afterwards)")
	collect := flag.Bool("collect", true, "also measure collect against the fake server (S, M, L)")
	latency := flag.Duration("latency", 100*time.Millisecond, "latency the fake server adds to every request")
	opaPath := flag.String("opa", "", "stock opa binary of go.mod's OPA version (default: .tools/bin/opa, installed when missing)")
	prof := flag.String("profile", "", "instead of the table, write CPU and allocation profiles of in-process scans of the first size into this directory")
	flag.Parse()
	if *prof != "" {
		if err := profile(*prof, strings.Split(*sizes, ",")[0], *runs); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(strings.Split(*sizes, ","), *runs, *dir, *collect, *latency, *opaPath); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type sample struct {
	wall time.Duration
	rss  int64 // bytes
}

type row struct {
	size                        string
	bytes                       int
	floor, scan, opa            []sample
	floorIn, scanIn             []time.Duration
	collectRequests             int
	collectWall                 []time.Duration
	collectMeasured, opaMissing bool
}

func run(sizes []string, runs int, dir string, withCollect bool, latency time.Duration, opa string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "breakglass-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	bg := filepath.Join(dir, "breakglass")
	floor := filepath.Join(dir, "floor")
	for bin, pkg := range map[string]string{bg: "./cmd/breakglass", floor: "./testdata/bench/floor"} {
		if err := sh(root, "go", "build", "-o", bin, pkg); err != nil {
			return err
		}
	}
	if opa == "" {
		if opa, err = opaBinary(root); err != nil {
			return err
		}
	}
	ctx := context.Background()
	var starts []time.Duration
	for i := 0; i < runs; i++ {
		t := time.Now()
		if _, err := engine.New(ctx, engine.Options{}); err != nil {
			return err
		}
		starts = append(starts, time.Since(t))
	}
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		return err
	}
	query := opaQuery(eng)

	var rows []*row
	for _, name := range sizes {
		size, err := gen.Lookup(name)
		if err != nil {
			return err
		}
		r := &row{size: name}
		rows = append(rows, r)
		sdir := filepath.Join(dir, name)
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			return err
		}
		snap, cfg, _, err := gen.Tenant(7, size)
		if err != nil {
			return err
		}
		r.bytes = len(snap)
		snapPath, cfgPath, input := filepath.Join(sdir, "snapshot.json"), filepath.Join(sdir, "breakglass.yaml"), filepath.Join(sdir, "input.json")
		if err := os.WriteFile(snapPath, snap, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
			return err
		}
		scanArgs := []string{"scan", snapPath, "-c", cfgPath, "-f", "sarif", "-o", filepath.Join(sdir, "out.sarif")}
		if _, err := measure(bg, append(slices.Clone(scanArgs), "--dump-input", input)...); err != nil {
			return err
		}
		opaArgs := []string{"eval", "-d", filepath.Join(root, "policies"), "--ignore", "*_test.rego", "-i", input, "-f", "json", query}
		fmt.Fprintf(os.Stderr, "size %s: %d bytes, %d runs\n", name, r.bytes, runs)
		for i := 0; i < runs; i++ {
			// Interleaved, so that the machine's load falls on all alike.
			for _, m := range []struct {
				to   *[]sample
				bin  string
				args []string
			}{{&r.floor, floor, []string{snapPath}}, {&r.scan, bg, scanArgs}, {&r.opa, opa, opaArgs}} {
				s, err := measure(m.bin, m.args...)
				if err != nil {
					return err
				}
				*m.to = append(*m.to, s)
			}
			fi, si, err := inProcess(ctx, eng, snapPath, cfgPath)
			if err != nil {
				return err
			}
			r.floorIn, r.scanIn = append(r.floorIn, fi), append(r.scanIn, si)
		}
	}
	if withCollect {
		if err := collectRows(root, rows, runs, latency); err != nil {
			return err
		}
	}
	printTable(os.Stdout, rows, starts, runs, latency)
	return nil
}

// inProcess times the floor and the scan in this process (median-free: one
// run each; the caller repeats).
func inProcess(ctx context.Context, eng *engine.Engine, snapPath, cfgPath string) (floor, scan time.Duration, err error) {
	runtime.GC()
	t := time.Now()
	data, err := os.ReadFile(snapPath)
	if err != nil {
		return 0, 0, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, 0, err
	}
	floor = time.Since(t)
	v, data = nil, nil
	runtime.GC()
	t = time.Now()
	snap, value, err := engine.LoadSnapshot(snapPath, snapshot.DefaultMaxSize)
	if err != nil {
		return 0, 0, err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return 0, 0, err
	}
	if _, err := eng.Scan(ctx, engine.Input{Snapshot: value, Config: cfg, Now: snap.CollectedAt}); err != nil {
		return 0, 0, err
	}
	snapshot.IDLines(snap.Bytes)
	return floor, time.Since(t), nil
}

// opaQuery is the query the engine prepares for the built-in rules.
func opaQuery(eng *engine.Engine) string {
	var b strings.Builder
	b.WriteString(`{"resources": data.breakglass.lib.resources, "rules": {`)
	for i, r := range eng.Rules() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: %s.results", r.ID, r.Package)
	}
	b.WriteString("}}")
	return b.String()
}

// measure runs one process under /usr/bin/time and returns its wall time
// and peak RSS. (getrusage of a child of this process would report this
// process's RSS: the child's high-water mark starts from the parent's
// memory it was forked from.)
func measure(bin string, args ...string) (sample, error) {
	rssFile, err := os.CreateTemp("", "bench-rss-")
	if err != nil {
		return sample{}, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile.Name(), bin}, args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	t := time.Now()
	err = cmd.Run()
	wall := time.Since(t)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && filepath.Base(bin) == "breakglass" {
		err = nil // findings at or above --fail-on
	}
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	raw, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return sample{}, err
	}
	lines := strings.Fields(string(raw))
	if len(lines) == 0 {
		return sample{}, fmt.Errorf("/usr/bin/time wrote no peak RSS for %s", bin)
	}
	kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		return sample{}, fmt.Errorf("/usr/bin/time: %q: %v", raw, err)
	}
	return sample{wall: wall, rss: kib << 10}, nil
}

// opaBinary returns .tools/bin/opa, installing it from the OPA module
// version go.mod requires when missing (as make lint does).
func opaBinary(root string) (string, error) {
	bin := filepath.Join(root, ".tools", "bin", "opa")
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/open-policy-agent/opa").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m opa: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if v, err := exec.Command(bin, "version").Output(); err == nil && strings.Contains(string(v), "Version: "+strings.TrimPrefix(want, "v")) {
		return bin, nil
	}
	cmd := exec.Command("go", "install", "github.com/open-policy-agent/opa@"+want)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(bin))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("install opa %s: %v", want, err)
	}
	return bin, nil
}

// collectRows runs the collector's BenchmarkCollectSizes once per run and
// reads its requests/op and ns/op.
func collectRows(root string, rows []*row, runs int, latency time.Duration) error {
	cmd := exec.Command("go", "test", "./collector", "-run", "^$", "-bench", "^BenchmarkCollectSizes$",
		"-benchtime", "1x", "-count", strconv.Itoa(runs))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "BREAKGLASS_BENCH_LATENCY="+latency.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("collect benchmark: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[0], "BenchmarkCollectSizes/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkCollectSizes/")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for _, r := range rows {
			if r.size != name {
				continue
			}
			for i := 2; i+1 < len(f); i += 2 {
				v, _ := strconv.ParseFloat(f[i], 64)
				switch f[i+1] {
				case "ns/op":
					r.collectWall = append(r.collectWall, time.Duration(v))
				case "requests/op":
					r.collectRequests = int(v)
				}
			}
			r.collectMeasured = true
		}
	}
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from inside the breakglass module")
	}
	return filepath.Dir(mod), nil
}

func sh(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
