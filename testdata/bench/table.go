package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

func median[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func walls(s []sample) time.Duration {
	var d []time.Duration
	for _, x := range s {
		d = append(d, x.wall)
	}
	return median(d)
}

func rss(s []sample) int64 {
	var d []int64
	for _, x := range s {
		d = append(d, x.rss)
	}
	return median(d)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
func mib(b int64) string        { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// printTable writes one Markdown table: a column per size, a row per
// measurement, with the target each ratio is held to.
func printTable(w io.Writer, rows []*row, starts []time.Duration, runs int, latency time.Duration) {
	header := []string{"measurement"}
	for _, r := range rows {
		header = append(header, r.size)
	}
	header = append(header, "target")
	lines := [][]string{header}
	add := func(name, target string, cell func(i int, r *row) string) {
		line := []string{name}
		for i, r := range rows {
			line = append(line, cell(i, r))
		}
		lines = append(lines, append(line, target))
	}
	add("snapshot size", "", func(_ int, r *row) string { return fmt.Sprintf("%.2f MB", float64(r.bytes)/1e6) })
	add("floor, whole process", "", func(_ int, r *row) string { return ms(walls(r.floor)) })
	add("scan, whole process", "", func(_ int, r *row) string { return ms(walls(r.scan)) })
	add("**scan ÷ floor, whole process**", "≤ 3× (L, XL)", func(_ int, r *row) string {
		return ratio(float64(walls(r.scan)), float64(walls(r.floor)))
	})
	add("floor, in-process", "", func(_ int, r *row) string { return ms(median(r.floorIn)) })
	add("scan, in-process (engine prepared)", "", func(_ int, r *row) string { return ms(median(r.scanIn)) })
	add("**scan ÷ floor, in-process**", "", func(_ int, r *row) string {
		return ratio(float64(median(r.scanIn)), float64(median(r.floorIn)))
	})
	add("stock `opa eval` on --dump-input", "", func(_ int, r *row) string { return ms(walls(r.opa)) })
	add("**scan ÷ opa eval**", "≤ 0.7× (XL)", func(_ int, r *row) string {
		return ratio(float64(walls(r.scan)), float64(walls(r.opa)))
	})
	add("peak RSS: floor / scan / opa eval", "", func(_ int, r *row) string {
		return fmt.Sprintf("%s / %s / %s", mib(rss(r.floor)), mib(rss(r.scan)), mib(rss(r.opa)))
	})
	add("**peak RSS ÷ floor**", "≤ 3×", func(_ int, r *row) string { return ratio(float64(rss(r.scan)), float64(rss(r.floor))) })
	add("**growth**: time ÷ previous size's (data ×)", "≤ 13× per 10× data", func(i int, r *row) string {
		if i == 0 {
			return "–"
		}
		p := rows[i-1]
		return fmt.Sprintf("%s (data %s)", ratio(float64(walls(r.scan)), float64(walls(p.scan))), ratio(float64(r.bytes), float64(p.bytes)))
	})
	add("**engine start** (engine.New, in-process)", "≤ 40 ms", func(i int, _ *row) string {
		if i == 0 {
			return ms(median(starts))
		}
		return ""
	})
	add(fmt.Sprintf("collect: requests / wall time (fake server, %s per request)", latency), "", func(_ int, r *row) string {
		if !r.collectMeasured {
			return "–"
		}
		return fmt.Sprintf("%d / %.1f s", r.collectRequests, median(r.collectWall).Seconds())
	})
	for i, l := range lines {
		fmt.Fprintf(w, "| %s |\n", strings.Join(l, " | "))
		if i == 0 {
			fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(l)))
		}
	}
	fmt.Fprintf(w, "\nMedians of %d runs, %s/%s, %d CPUs, %s. Whole-process rows include process start; ratios are measured in the same run, interleaved.\n",
		runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
