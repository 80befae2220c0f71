package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The defaults read the model table of package cost.
func TestDefaultsFromModelTable(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 128000, defaultContextWindow("openai/gpt-4o"))
	assert.Equal(t, 16385, defaultContextWindow("openai/gpt-3.5-turbo"))
	assert.Zero(t, defaultContextWindow("mock/anything"))
	in, out, ok := defaultPrice("openai/gpt-4o")
	require.True(t, ok)
	assert.Positive(t, in)
	assert.Greater(t, out, in)
	_, _, ok = defaultPrice("mock/anything")
	assert.False(t, ok)
}
