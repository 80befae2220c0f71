package llm_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
)

// TestAccessorsOnEmptyResults checks that the accessors the docs use never
// panic: on a nil result, on a result with no choices (such as the final
// usage chunk of a stream) and on a chunk whose choice has no content.
func TestAccessorsOnEmptyResults(t *testing.T) {
	t.Parallel()
	var nilChunk *llm.Chunk
	var nilResp *llm.CompletionResponse
	var nilText *llm.TextCompletionResponse
	usageChunk := &llm.Chunk{Choices: []llm.ChunkChoice{}, Usage: &llm.Usage{TotalTokens: 3}}
	for _, c := range []*llm.Chunk{nilChunk, usageChunk, {}} {
		assert.Empty(t, c.Text())
		assert.Empty(t, c.FinishReason())
	}
	for _, r := range []*llm.CompletionResponse{nilResp, {}} {
		assert.Empty(t, r.Text())
		assert.Empty(t, r.FinishReason())
		assert.Nil(t, r.ToolCalls())
		assert.Equal(t, llm.Message{}, r.Message())
	}
	for _, r := range []*llm.TextCompletionResponse{nilText, {}} {
		assert.Empty(t, r.Text())
		assert.Empty(t, r.FinishReason())
	}

	// The first choice, whatever the others hold.
	c := &llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: "hi"}, FinishReason: "stop"}, {Delta: llm.Delta{Content: "other"}}}}
	assert.Equal(t, "hi", c.Text())
	assert.Equal(t, "stop", c.FinishReason())
	msg := llm.Message{Role: llm.RoleAssistant, Content: llm.Text("yes"),
		ToolCalls: []llm.ToolCall{{ID: "1", Type: "function", Function: llm.FunctionCall{Name: "f"}}}}
	r := &llm.CompletionResponse{Choices: []llm.Choice{{Message: msg, FinishReason: "tool_calls"}, {Message: llm.AssistantText("no")}}}
	assert.Equal(t, "yes", r.Text())
	assert.Equal(t, "tool_calls", r.FinishReason())
	assert.Equal(t, msg, r.Message())
	assert.Equal(t, msg.ToolCalls, r.ToolCalls())
	tr := &llm.TextCompletionResponse{Choices: []llm.TextChoice{{Text: "once", FinishReason: "length"}}}
	assert.Equal(t, "once", tr.Text())
	assert.Equal(t, "length", tr.FinishReason())
}

// indexesChoices matches code that indexes the choices of a result, which
// panics on a response or chunk without choices (a stream's usage chunk).
var indexesChoices = regexp.MustCompile(`Choices\[0\]`)

// TestDocsDoNotIndexChoices checks that no snippet users copy indexes
// Choices: the README, docs/, the doc comments of the root package and the
// examples use the accessors (chunk.Text(), resp.Message(), ...) instead.
func TestDocsDoNotIndexChoices(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pattern := range []string{"README.md", "docs/*.md", "*.go", "examples/*/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found %d files to check, want the README, docs and examples", len(files))
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") && !strings.HasPrefix(f, "examples") {
			continue
		}
		b, err := fs.ReadFile(os.DirFS("."), filepath.ToSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code := line
			if strings.HasSuffix(f, ".go") && !strings.HasPrefix(f, "examples") {
				// Root package: only doc comments are snippets; the
				// accessors themselves check the length.
				trimmed := strings.TrimSpace(line)
				if !strings.HasPrefix(trimmed, "//") {
					continue
				}
			}
			if indexesChoices.MatchString(code) {
				t.Errorf("%s:%d indexes Choices, which panics on a result without choices; use an accessor: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
