package cost

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTableRoundTrip writes the embedded table and checks that the bytes
// are the embedded ones: reading and writing lose nothing.
func TestTableRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	n, err := Embedded().WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	assert.Equal(t, embedded, buf.String())

	again, err := ReadTable(&buf)
	require.NoError(t, err)
	assert.Equal(t, slices.Collect(Embedded().Models()), slices.Collect(again.Models()))
	assert.Equal(t, Embedded().Sources(), again.Sources())
}

func TestWriteReadGoValues(t *testing.T) {
	t.Parallel()
	models := []ModelInfo{{
		Name: "acme/chat", Provider: "acme", Mode: ModeChat, MaxInputTokens: 10, MaxOutputTokens: 5,
		Supports: Vision | Tools, Lacks: AudioOutput, Aliases: []string{"chat", "chat-v1"},
		DeprecationDate: "2030-01-01", Source: "mine",
		Prices: Prices{
			Rates: Rates{Input: 1.5e-06, Output: 1e-05, CacheRead: 0.1, CacheWrite: 0.2, CacheWrite1h: 0.3,
				Reasoning: 0.4, AudioInput: 0.5, AudioOutput: 0.6, ImageInput: 0.7, ImageOutput: 0.8},
			Tiers: []Tier{
				{Above: 200000, Rates: Rates{Input: 3e-06}},
				{Level: LevelBatch, Rates: Rates{Output: 1}},
				{Level: LevelPriority, Above: 272000, Rates: Rates{CacheRead: 2}},
			},
			PerImage: 0.04, ImageVariants: []ImagePrice{{Quality: "hd", Size: "1024x1792", Price: 0.12}, {Size: "max", Price: 1}},
			PerAudioSecond: 1, PerCharacter: 2, PerVideoSecond: 3, PerQuery: 4,
			WebSearch: SearchPrices{Low: 0.01, Medium: 0, High: 0.03},
			Units:     UnitToken | UnitImage | UnitWebSearch,
		},
	}, {
		Name: "no-provider", Prices: Prices{Units: UnitToken},
	}, {
		Name: "router/x", Provider: "other",
	}}
	tb := NewTable(models, Source{ID: "mine", File: "f.json", Date: "2030-01-01", Models: 3, Note: "hand made"})
	var buf bytes.Buffer
	_, err := tb.WriteTo(&buf)
	require.NoError(t, err)
	back, err := ReadTable(strings.NewReader(buf.String()))
	require.NoError(t, err)
	assert.Equal(t, slices.Collect(tb.Models()), slices.Collect(back.Models()))
	assert.Equal(t, tb.Sources(), back.Sources())
}

func TestWriteRefuses(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]ModelInfo{
		"tab in name":      {Name: "a\tb"},
		"comment name":     {Name: "#a"},
		"comma in alias":   {Name: "a", Aliases: []string{"b,c"}},
		"unknown level":    {Name: "a", Prices: Prices{Tiers: []Tier{{Level: "scale", Rates: Rates{Input: 1}}}}},
		"empty tier":       {Name: "a", Prices: Prices{Tiers: []Tier{{Rates: Rates{Input: 1}}}}},
		"newline in mode":  {Name: "a", Mode: "chat\n"},
		"bar in a variant": {Name: "a", Prices: Prices{ImageVariants: []ImagePrice{{Quality: "a|b"}}}},
	} {
		_, err := NewTable([]ModelInfo{m}).WriteTo(&bytes.Buffer{})
		assert.Error(t, err, name)
	}
}

func TestReadTableErrors(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"no equals":       "a\tx\n",
		"unknown key":     "a\tzz=1\n",
		"bad price":       "a\ti=x\n",
		"negative price":  "a\ti=-1\n",
		"unknown cap":     "a\t+=flying\n",
		"unknown unit":    "a\tu=parsec\n",
		"bad tier":        "a\tq>1.i=1\n",
		"zero threshold":  "a\t>0.i=1\n",
		"bad variant":     "a\tiv=hd|1\n",
		"bad web search":  "a\tws=1,2\n",
		"out of order":    "b\ni=1\na\n",
		"repeated":        "a\na\n",
		"bad source":      "#source\tx\n",
		"bad count":       "a\tin=many\n",
		"empty tier key":  "a\t.i=1\n",
		"bad source size": "#source\tid\tf\td\tmany\tnote\n",
	} {
		_, err := ReadTable(strings.NewReader(src))
		assert.Error(t, err, name)
	}
	_, err := ReadTable(strings.NewReader("# comment\n\nacme/a\ti=1\r\n"))
	assert.NoError(t, err)
}
