// Command gen writes the cost package's embedded model table from LiteLLM's
// model map (model_prices_and_context_window.json).
//
// Usage (from the cost directory, as go generate runs it):
//
//	go run ./internal/gen -src PATH [-old PATH] -o table.txt
//
// -src is the current model map. -old is an optional older snapshot of the
// same map: its models that the current map no longer has (mostly retired
// models, still useful to price old logs) are added and marked with the
// older source. Before reading the maps, the generator applies the sourced
// corrections of corrections.json (known-wrong prices, each with the URL
// that shows the right one); a corrected entry's source ends in "+fix". The
// output is deterministic: the same inputs give the same bytes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/llmux/llm/cost"
)

func main() {
	src := flag.String("src", "", "path of the current model map (required)")
	old := flag.String("old", "", "path of an older snapshot of the model map (optional)")
	out := flag.String("o", "table.txt", "output path")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		os.Exit(2)
	}
	table, err := Generate(*src, *old)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, table, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s (%d bytes)\n", *out, len(table))
}

// Generate returns the table built from the model map at src and, when old
// is not empty, the models of the older snapshot at old that src dropped,
// with the embedded corrections applied.
func Generate(src, old string) ([]byte, error) {
	fixes, err := Corrections()
	if err != nil {
		return nil, err
	}
	return GenerateWith(src, old, fixes)
}

// GenerateWith is Generate with the corrections fixes. Every correction
// must apply to one of the maps.
func GenerateWith(src, old string, fixes []Correction) ([]byte, error) {
	state := make([]fixState, len(fixes))
	current, date, fixed, err := read(src, fixes, state)
	if err != nil {
		return nil, err
	}
	srcID := "litellm"
	known := map[string]bool{}
	for i := range current {
		current[i].Source = srcID
		markFixed(&current[i], fixed)
		known[strings.ToLower(current[i].Name)] = true
		for _, a := range current[i].Aliases {
			known[strings.ToLower(a)] = true
		}
	}
	sources := []cost.Source{{
		ID: srcID, File: filepath.Base(src), Date: date, Models: len(current),
		Note: "LiteLLM model price and context window map (MIT licence)",
	}}
	models := current

	if old != "" {
		previous, oldDate, oldFixed, err := read(old, fixes, state)
		if err != nil {
			return nil, err
		}
		oldID := "litellm-old"
		if _, rev, ok := strings.Cut(strings.TrimSuffix(filepath.Base(old), ".json"), "upstream-"); ok && rev != "" {
			oldID = "litellm@" + rev
		}
		added := 0
		for _, m := range previous {
			dropped := !known[strings.ToLower(m.Name)]
			for _, a := range m.Aliases {
				dropped = dropped && !known[strings.ToLower(a)]
			}
			if !dropped {
				continue
			}
			m.Source = oldID
			markFixed(&m, oldFixed)
			models = append(models, m)
			added++
		}
		sources = append(sources, cost.Source{
			ID: oldID, File: filepath.Base(old), Date: oldDate, Models: added,
			Note: "older snapshot of the same map: models the current map dropped",
		})
	}

	if err := checkApplied(fixes, state); err != nil {
		return nil, err
	}
	if len(fixes) > 0 {
		n, checked := 0, ""
		for i := range models {
			if strings.HasSuffix(models[i].Source, fixSuffix) {
				n++
			}
		}
		for _, c := range fixes {
			checked = max(checked, c.Checked)
		}
		sources = append(sources, cost.Source{
			ID: fixID, File: "corrections.json", Date: checked, Models: n,
			Note: "sourced corrections of known-wrong prices (cost/internal/gen/corrections.json); corrected entries' src ends in +fix",
		})
	}

	var buf bytes.Buffer
	if _, err := cost.NewTable(models, sources...).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// read parses a model map with fixes applied and returns its models, the
// date of its last_updated key (YYYY-MM-DD), if it has one, and the
// lower-case keys of the models the fixes changed.
func read(path string, fixes []Correction, state []fixState) ([]cost.ModelInfo, string, map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", nil, err
	}
	data, fixed, err := applyCorrections(data, fixes, state)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", path, err)
	}
	models, err := cost.ParseJSON(bytes.NewReader(data))
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", path, err)
	}
	var meta struct {
		LastUpdated string `json:"last_updated"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", path, err)
	}
	date := meta.LastUpdated
	if len(date) >= 10 {
		date = date[:10]
	}
	return models, date, fixed, nil
}

// markFixed appends fixSuffix to the source of m when fixed holds its name
// or one of its aliases (the source map's spelling of it).
func markFixed(m *cost.ModelInfo, fixed map[string]bool) {
	if len(fixed) == 0 {
		return
	}
	for _, n := range append([]string{m.Name}, m.Aliases...) {
		if fixed[strings.ToLower(n)] {
			m.Source += fixSuffix
			return
		}
	}
}
