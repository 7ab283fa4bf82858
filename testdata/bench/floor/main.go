// Command floor is the benchmark's floor: the least a Go program can do
// with a snapshot, os.ReadFile and json.Unmarshal into any.
//
//	go run ./testdata/bench/floor FILE
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
