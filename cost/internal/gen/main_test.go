package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/llmux/llm/cost"
)

const (
	srcName = "model_prices_and_context_window.json"
	oldName = "model_prices_and_context_window.upstream-caddc6dd.json"
)

// sharedData finds the source data directory, shared/data, beside the
// checkout or one of its parents (CI clones the module with shared/ beside
// it; a worktree may sit deeper). It skips the test when there is none.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		d := filepath.Join(dir, "shared", "data")
		if _, err := os.Stat(filepath.Join(d, srcName)); err == nil {
			return d
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("source data directory shared/data not found beside the checkout; it is present in CI")
		}
		dir = parent
	}
}

// TestCommittedTableIsGenerated checks that the committed table is exactly
// what the generator makes from the source data, so nobody edits it by
// hand and nobody forgets to regenerate it.
func TestCommittedTableIsGenerated(t *testing.T) {
	t.Parallel()
	data := sharedData(t)
	got, err := Generate(filepath.Join(data, srcName), filepath.Join(data, oldName))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "table.txt"))
	require.NoError(t, err)
	if !bytes.Equal(want, got) {
		t.Fatalf("cost/table.txt is not what the generator makes from %s; run go generate in cost/ (%d bytes committed, %d generated)", data, len(want), len(got))
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	data := sharedData(t)
	a, err := Generate(filepath.Join(data, srcName), filepath.Join(data, oldName))
	require.NoError(t, err)
	b, err := Generate(filepath.Join(data, srcName), filepath.Join(data, oldName))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b), "two runs differ")
}

// TestGenerateKeepsEveryModel checks that every model of the current
// source is in the table with what the source says, and that the older
// snapshot only adds models.
func TestGenerateKeepsEveryModel(t *testing.T) {
	t.Parallel()
	data := sharedData(t)
	f, err := os.Open(filepath.Join(data, srcName))
	require.NoError(t, err)
	defer f.Close()
	models, err := cost.ParseJSON(f)
	require.NoError(t, err)

	out, err := Generate(filepath.Join(data, srcName), filepath.Join(data, oldName))
	require.NoError(t, err)
	table, err := cost.ReadTable(bytes.NewReader(out))
	require.NoError(t, err)

	fixes, err := Corrections()
	require.NoError(t, err)
	fixed := map[string]Correction{}
	for _, c := range fixes {
		fixed[strings.ToLower(c.Model)] = c
	}
	for _, m := range models {
		got, ok := table.Lookup(m.Name)
		if !assert.True(t, ok, m.Name) {
			continue
		}
		m.Source = "litellm"
		for _, a := range m.Aliases {
			if c, ok := fixed[strings.ToLower(a)]; ok {
				// Only the corrected field differs, and the entry says so.
				require.Equal(t, "cache_creation_input_token_cost_above_1hr", c.Field, "extend this test for %s", c.Field)
				assert.Equal(t, c.Was, m.Prices.CacheWrite1h, m.Name)
				m.Prices.CacheWrite1h, m.Source = c.Value, "litellm+fix"
			}
		}
		assert.Equal(t, m, got, m.Name)
	}
	srcs := table.Sources()
	require.Len(t, srcs, 3)
	assert.Equal(t, len(models), srcs[0].Models)
	assert.Equal(t, "2026-07-24", srcs[0].Date)
	assert.Equal(t, "litellm@caddc6dd", srcs[1].ID)
	assert.Equal(t, table.Len(), srcs[0].Models+srcs[1].Models)
	assert.Greater(t, srcs[1].Models, 150, "the older snapshot's dropped models")
	assert.Equal(t, cost.Source{ID: "fix", File: "corrections.json", Date: "2026-12-02", Models: len(fixes)}, cost.Source{
		ID: srcs[2].ID, File: srcs[2].File, Date: srcs[2].Date, Models: srcs[2].Models})
}

func TestGenerateWithoutOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "map.json")
	require.NoError(t, os.WriteFile(src, []byte(`{"last_updated": "2030-01-02T00:00:00", "m": {"litellm_provider": "p", "input_cost_per_token": 1}}`), 0o644))
	out, err := GenerateWith(src, "", nil)
	require.NoError(t, err)
	table, err := cost.ReadTable(bytes.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, 1, table.Len())
	assert.Equal(t, []cost.Source{{ID: "litellm", File: "map.json", Date: "2030-01-02", Models: 1,
		Note: "LiteLLM model price and context window map (MIT licence)"}}, table.Sources())

	_, err = GenerateWith(filepath.Join(dir, "missing.json"), "", nil)
	assert.Error(t, err)
}

// TestCorrections checks how the generator applies corrections: it
// replaces the wrong value in whichever map has it and marks the entry,
// and it refuses a correction that no longer matches the maps, so that a
// refreshed map never silently keeps or loses a correction.
func TestCorrections(t *testing.T) {
	t.Parallel()
	fix := Correction{Model: "m", Field: "cache_creation_input_token_cost_above_1hr", Was: 6e-06, Value: 5e-07,
		Source: "https://example.com/pricing", Checked: "2026-12-02", Why: "test"}
	entry := func(v string) string {
		return `{"litellm_provider": "anthropic", "input_cost_per_token": 2.5e-07, "cache_creation_input_token_cost_above_1hr": ` + v + `}`
	}
	write := func(t *testing.T, body string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "map.json")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	lookup := func(t *testing.T, out []byte) cost.ModelInfo {
		t.Helper()
		table, err := cost.ReadTable(bytes.NewReader(out))
		require.NoError(t, err)
		m, ok := table.Lookup("anthropic/m")
		require.True(t, ok)
		return m
	}

	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		out, err := GenerateWith(write(t, `{"m": `+entry("6e-06")+`, "n": `+entry("6e-06")+`}`), "", []Correction{fix})
		require.NoError(t, err)
		m := lookup(t, out)
		assert.Equal(t, 5e-07, m.Prices.CacheWrite1h)
		assert.Equal(t, "litellm+fix", m.Source)
		table, err := cost.ReadTable(bytes.NewReader(out))
		require.NoError(t, err)
		n, _ := table.Lookup("anthropic/n")
		assert.Equal(t, 6e-06, n.Prices.CacheWrite1h, "other models are left alone")
		assert.Equal(t, "litellm", n.Source)
		assert.Equal(t, cost.Source{ID: "fix", File: "corrections.json", Date: "2026-12-02", Models: 1,
			Note: "sourced corrections of known-wrong prices (cost/internal/gen/corrections.json); corrected entries' src ends in +fix"},
			table.Sources()[1])
	})
	t.Run("in the older snapshot only", func(t *testing.T) {
		t.Parallel()
		out, err := GenerateWith(write(t, `{"x": `+entry("1")+`}`), write(t, `{"m": `+entry("6e-06")+`}`), []Correction{fix})
		require.NoError(t, err)
		m := lookup(t, out)
		assert.Equal(t, 5e-07, m.Prices.CacheWrite1h)
		assert.Equal(t, "litellm-old+fix", m.Source)
	})
	for _, tt := range []struct {
		name, current, old, want string
	}{
		{"obsolete", `{"m": ` + entry("5e-07") + `}`, "", "obsolete"},
		{"model gone", `{"x": ` + entry("6e-06") + `}`, "", "no source file has the model"},
		{"third value", `{"m": ` + entry("7e-06") + `}`, "", "neither the wrong"},
		{"field gone", `{"m": {"input_cost_per_token": 1}}`, "", "no such field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old := ""
			if tt.old != "" {
				old = write(t, tt.old)
			}
			_, err := GenerateWith(write(t, tt.current), old, []Correction{fix})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestParseCorrections checks that the embedded list is well formed and
// that a malformed one is refused.
func TestParseCorrections(t *testing.T) {
	t.Parallel()
	fixes, err := Corrections()
	require.NoError(t, err)
	assert.NotEmpty(t, fixes)
	for _, bad := range []string{
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "http://x", "checked": "2026-12-02", "why": "w"}]}`,
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "https://x", "checked": "2 Dec", "why": "w"}]}`,
		`{"corrections": [{"model": "m", "field": "max_tokens", "was": 1, "value": 2, "source": "https://x", "checked": "2026-12-02", "why": "w"}]}`,
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 1, "source": "https://x", "checked": "2026-12-02", "why": "w"}]}`,
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "https://x", "checked": "2026-12-02"}]}`,
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "https://x", "checked": "2026-12-02", "why": "w", "extra": 1}]}`,
		`{"corrections": [{"model": "m", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "https://x", "checked": "2026-12-02", "why": "w"},
		                  {"model": "M", "field": "input_cost_per_token", "was": 1, "value": 2, "source": "https://x", "checked": "2026-12-02", "why": "w"}]}`,
	} {
		_, err := parseCorrections([]byte(bad))
		assert.Error(t, err, bad)
	}
}
