package main

import (
	"bytes"
	"os"
	"path/filepath"
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

	for _, m := range models {
		got, ok := table.Lookup(m.Name)
		if !assert.True(t, ok, m.Name) {
			continue
		}
		m.Source = "litellm"
		assert.Equal(t, m, got, m.Name)
	}
	srcs := table.Sources()
	require.Len(t, srcs, 2)
	assert.Equal(t, len(models), srcs[0].Models)
	assert.Equal(t, "2026-07-24", srcs[0].Date)
	assert.Equal(t, "litellm@caddc6dd", srcs[1].ID)
	assert.Equal(t, table.Len(), srcs[0].Models+srcs[1].Models)
	assert.Greater(t, srcs[1].Models, 150, "the older snapshot's dropped models")
}

func TestGenerateWithoutOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "map.json")
	require.NoError(t, os.WriteFile(src, []byte(`{"last_updated": "2030-01-02T00:00:00", "m": {"litellm_provider": "p", "input_cost_per_token": 1}}`), 0o644))
	out, err := Generate(src, "")
	require.NoError(t, err)
	table, err := cost.ReadTable(bytes.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, 1, table.Len())
	assert.Equal(t, []cost.Source{{ID: "litellm", File: "map.json", Date: "2030-01-02", Models: 1,
		Note: "LiteLLM model price and context window map (MIT licence)"}}, table.Sources())

	_, err = Generate(filepath.Join(dir, "missing.json"), "")
	assert.Error(t, err)
}
