package llm_test

import (
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fragmentChunks returns n chunks that stream one tool call's name and
// arguments, and the content, refusal and reasoning, one byte per chunk.
func fragmentChunks(n int) []*llm.Chunk {
	chunks := make([]*llm.Chunk, 0, n+1)
	chunks = append(chunks, &llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{
		ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "call_1", Type: "function", Function: llm.FunctionCallDelta{Name: "f"}}}}}}})
	for range n {
		chunks = append(chunks, &llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{
			Content: "c", Refusal: "r", ReasoningContent: "t",
			ToolCalls: []llm.ToolCallDelta{{Index: 0, Function: llm.FunctionCallDelta{Name: "n", Arguments: "a"}}},
		}}}})
	}
	return chunks
}

// TestAccumulatorIsLinear folds many one-byte fragments and counts the
// allocations: joining strings with += allocates (and copies everything so
// far) once per fragment, which made 100k fragments take 44 s; growing
// buffers allocate a few dozen times in all.
func TestAccumulatorIsLinear(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of the whole process.
	const n = 10_000
	chunks := fragmentChunks(n)
	var resp *llm.CompletionResponse
	allocs := testing.AllocsPerRun(1, func() {
		var acc llm.Accumulator
		for _, c := range chunks {
			acc.Add(c)
		}
		resp = acc.Response()
	})
	if allocs > 500 {
		t.Errorf("folding %d fragments allocated %.0f times, want at most 500 (a copy per fragment is quadratic)", n, allocs)
	}
	m := resp.Choices[0].Message
	require.Len(t, m.ToolCalls, 1)
	tc := m.ToolCalls[0]
	assert.Equal(t, "call_1", tc.ID)
	assert.Equal(t, "f"+strings.Repeat("n", n), tc.Function.Name)
	assert.Equal(t, strings.Repeat("a", n), tc.Function.Arguments)
	assert.Equal(t, strings.Repeat("c", n), m.Content.Text)
	assert.Equal(t, strings.Repeat("r", n), m.Refusal)
	assert.Equal(t, strings.Repeat("t", n), m.ReasoningContent)
}

// TestAccumulatorResponseIsASnapshot checks that a response taken mid-stream
// is not changed by later chunks (the buffers keep growing behind it).
func TestAccumulatorResponseIsASnapshot(t *testing.T) {
	t.Parallel()
	chunks := fragmentChunks(3)
	var acc llm.Accumulator
	for _, c := range chunks[:2] {
		acc.Add(c)
	}
	mid := acc.Response()
	for _, c := range chunks[2:] {
		acc.Add(c)
	}
	end := acc.Response()
	assert.Equal(t, "a", mid.ToolCalls()[0].Function.Arguments)
	assert.Equal(t, "fn", mid.ToolCalls()[0].Function.Name)
	assert.Equal(t, "c", mid.Text())
	assert.Equal(t, "aaa", end.ToolCalls()[0].Function.Arguments)
	assert.Equal(t, "ccc", end.Text())
}

// BenchmarkCollectToolCallFragments folds a stream of 100k tool-call
// argument fragments (plus content, refusal and reasoning fragments).
func BenchmarkCollectToolCallFragments(b *testing.B) {
	chunks := fragmentChunks(100_000)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := llm.Collect(seq(chunks, nil))
		if err != nil || len(resp.ToolCalls()[0].Function.Arguments) != 100_000 {
			b.Fatal(err)
		}
	}
}

// TestAccumulatorAnnotations folds the citations streamed on deltas into
// the message's annotations, in the order they came.
func TestAccumulatorAnnotations(t *testing.T) {
	t.Parallel()
	a := llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 0, EndIndex: 3, Title: "A", URL: "https://a.example"}}
	b := llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 4, EndIndex: 7, Title: "B", URL: "https://b.example"}}
	var acc llm.Accumulator
	acc.Add(&llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: "one ", Annotations: []llm.Annotation{a}}}}})
	acc.Add(&llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: "two"}}}})
	acc.Add(&llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Annotations: []llm.Annotation{b}}, FinishReason: "stop"}}})
	got := acc.Response().Message()
	assert.Equal(t, "one two", got.Content.String())
	assert.Equal(t, []llm.Annotation{a, b}, got.Annotations)
}
