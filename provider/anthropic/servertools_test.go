package anthropic_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server-tool fixtures follow Anthropic's documentation:
//   - testdata/web_search.response.json is the response example of the web
//     search tool guide
//     (https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool),
//     with its server_tool_use, web_search_tool_result and cited text blocks;
//   - testdata/server_tools.response.json holds the result blocks whose
//     content is an object, as /work/shared/specs/anthropic-openapi.json
//     defines them (ResponseWebSearchToolResultError,
//     BetaResponseWebFetchToolResultBlock, BetaResponseCodeExecutionToolResultBlock,
//     BetaResponseBashCodeExecutionToolResultBlock), a char_location
//     citation (ResponseCharLocationCitation), and a block type no spec has;
//   - the .sse fixtures stream the same answers with the events of the
//     streaming guide (content_block_start carrying a result block whole,
//     input_json_delta for a server tool's input, citations_delta before
//     the cited text).

// rawBlocks returns the content blocks of a response fixture, by index.
func rawBlocks(t *testing.T, fixture string) []json.RawMessage {
	t.Helper()
	var w struct{ Content []json.RawMessage }
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, fixture), &w))
	return w.Content
}

// blocksOf returns the message's kept blocks, decoded for comparison.
func blocksOf(t *testing.T, m llm.Message) []any {
	t.Helper()
	raw, ok := m.ProviderSpecificFields[anthropic.BlocksField].([]json.RawMessage)
	require.True(t, ok, "provider_specific_fields[%q] is %T, want []json.RawMessage", anthropic.BlocksField, m.ProviderSpecificFields[anthropic.BlocksField])
	out := make([]any, len(raw))
	for i, r := range raw {
		require.NoError(t, json.Unmarshal(r, &out[i]), "block %d: %s", i, r)
	}
	return out
}

func decoded(t *testing.T, raws ...json.RawMessage) []any {
	t.Helper()
	out := make([]any, len(raws))
	for i, r := range raws {
		require.NoError(t, json.Unmarshal(r, &out[i]))
	}
	return out
}

func TestDecodeWebSearch(t *testing.T) {
	t.Parallel()
	r, err := anthropic.DecodeResponse(providertest.Fixture(t, "web_search.response.json"))
	require.NoError(t, err)
	m := r.Choices[0].Message
	const before = "I'll search for when Claude Shannon was born.Based on the search results, "
	const cited = "Claude Shannon was born on April 30, 1916, in Petoskey, Michigan"
	assert.Equal(t, before+cited, r.Text())
	assert.Equal(t, []llm.Annotation{{Type: "url_citation", URLCitation: &llm.URLCitation{
		URL: "https://en.wikipedia.org/wiki/Claude_Shannon", Title: "Claude Shannon - Wikipedia",
		StartIndex: len(before), EndIndex: len(before) + len(cited)}}}, m.Annotations)
	blocks := rawBlocks(t, "web_search.response.json")
	assert.Equal(t, decoded(t, blocks[1], blocks[2]), blocksOf(t, m), "server_tool_use and web_search_tool_result kept raw")
	cites, ok := m.ProviderSpecificFields[anthropic.CitationsField].([]anthropic.Citation)
	require.True(t, ok)
	require.Len(t, cites, 1)
	assert.Equal(t, len(before), cites[0].StartIndex)
	assert.Equal(t, len(before)+len(cited), cites[0].EndIndex)
	assert.Contains(t, string(cites[0].Citation), `"encrypted_index":"Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm"`)
	assert.Equal(t, &llm.ServerToolUse{WebSearchRequests: 1}, r.Usage.ServerToolUse)
	assert.Equal(t, llm.FinishStop, r.Choices[0].FinishReason)
}

// TestDecodeServerToolResults is the regression test for server tool
// results whose content is an object: they failed the whole call with a
// bad-response error. Every block without an OpenAI field, including a
// type no version of the API has yet, is kept raw in order.
func TestDecodeServerToolResults(t *testing.T) {
	t.Parallel()
	r, err := anthropic.DecodeResponse(providertest.Fixture(t, "server_tools.response.json"))
	require.NoError(t, err)
	m := r.Choices[0].Message
	text := "Prices in the café are 6 × 7 = 42 €."
	assert.Equal(t, text, r.Text())
	blocks := rawBlocks(t, "server_tools.response.json")
	assert.Equal(t, decoded(t, blocks[:8]...), blocksOf(t, m))
	assert.Empty(t, m.Annotations, "a document citation has no URL")
	cites, ok := m.ProviderSpecificFields[anthropic.CitationsField].([]anthropic.Citation)
	require.True(t, ok)
	require.Len(t, cites, 1)
	assert.Equal(t, 0, cites[0].StartIndex)
	assert.Equal(t, utf8.RuneCountInString(text), cites[0].EndIndex, "indexes count characters, not bytes")
	assert.Contains(t, string(cites[0].Citation), `"type":"char_location"`)
	assert.Equal(t, &llm.ServerToolUse{WebFetchRequests: 1}, r.Usage.ServerToolUse)
	assert.Empty(t, r.ToolCalls(), "server tool calls are not the caller's tool calls")
}

// TestStreamServerTools checks the streamed answers: they decode, the
// citations arrive as annotations on one delta, and Collect equals the
// non-streamed decode (TestCollectEqualsDecode covers the fixtures too).
func TestStreamServerTools(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"web_search", "server_tools"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, chunks, err := collectFixture(t, name+".sse")
			require.NoError(t, err)
			want, err := anthropic.DecodeResponse(providertest.Fixture(t, name+".response.json"))
			require.NoError(t, err)
			var annotated int
			for _, c := range chunks {
				if len(c.Choices[0].Delta.Annotations) > 0 {
					annotated++
				}
			}
			assert.Equal(t, len(want.Choices[0].Message.Annotations), annotated, "annotations go out once, on one delta")
			assert.Equal(t, want.Text(), got.Text())
			assert.Equal(t, want.Choices[0].Message.Annotations, got.Choices[0].Message.Annotations)
			assert.Equal(t, blocksOf(t, want.Choices[0].Message), blocksOf(t, got.Choices[0].Message))
			assert.Equal(t, want.Choices[0].Message.ProviderSpecificFields[anthropic.CitationsField],
				got.Choices[0].Message.ProviderSpecificFields[anthropic.CitationsField])
			assert.Equal(t, want.Usage.ServerToolUse, got.Usage.ServerToolUse)
		})
	}
}

// TestWebSearchCostInMeta: the searches Anthropic reports in
// usage.server_tool_use are billed in Meta.Cost at the table's price ($10
// per 1,000 searches for Claude Sonnet 4.5).
func TestWebSearchCostInMeta(t *testing.T) {
	t.Parallel()
	srv := server(t, nil, "application/json", providertest.Fixture(t, "web_search.response.json"))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5-20250929",
		Messages: []llm.Message{llm.UserText("When was Claude Shannon born?")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.InDelta(t, 0.01, resp.Meta.Cost.WebSearch, 1e-12)
}

// TestSamplingParams: Anthropic's migration guide
// (https://docs.claude.com/en/docs/about-claude/models/migrating-to-claude-4,
// "Update sampling parameters") says Claude Sonnet 4.5 and Haiku 4.5 take
// temperature or top_p, not both, a breaking change from Sonnet 3.7; Opus
// 4.1 and the later models answer 400 "`temperature` and `top_p` cannot
// both be specified for this model. Please use only one." too. Older
// models take both.
func TestSamplingParams(t *testing.T) {
	t.Parallel()
	drop := &llm.Config{DropUnsupportedParams: true}
	cases := []struct {
		model  string
		cfg    *llm.Config
		want   string   // JSON fields expected (subset)
		absent []string // fields expected absent
		kind   llm.Kind
	}{
		{model: "claude-sonnet-4-5-20250929", kind: llm.KindUnsupported},
		{model: "claude-haiku-4-5", kind: llm.KindUnsupported},
		{model: "claude-opus-4-1-20250805", kind: llm.KindUnsupported},
		{model: "claude-opus-4-5", kind: llm.KindUnsupported},
		{model: "anthropic.claude-sonnet-4-5-20250929-v1:0", kind: llm.KindUnsupported},
		{model: "claude-sonnet-4-5@20250929", kind: llm.KindUnsupported},
		{model: "claude-sonnet-4-5-20250929", cfg: drop, want: `{"temperature":0.3}`, absent: []string{"top_p"}},
		{model: "claude-sonnet-4-20250514", want: `{"temperature":0.3,"top_p":0.9}`},
		{model: "claude-opus-4-20250514", want: `{"temperature":0.3,"top_p":0.9}`},
		{model: "claude-3-7-sonnet-20250219", want: `{"temperature":0.3,"top_p":0.9}`},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			t.Parallel()
			req := llm.CompletionRequest{Model: tc.model, Messages: []llm.Message{llm.UserText("hi")},
				Temperature: llm.Ptr(0.3), TopP: llm.Ptr(0.9)}
			body, err := anthropic.EncodeRequest(&req, tc.cfg, anthropic.EncodeOptions{})
			if tc.kind != 0 {
				require.Error(t, err)
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tc.kind, le.Kind)
				assert.Contains(t, le.Message, "top_p")
				return
			}
			require.NoError(t, err)
			var got map[string]any
			require.NoError(t, json.Unmarshal(body, &got))
			var want map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.want), &want))
			for k, v := range want {
				assert.Equal(t, v, got[k], k)
			}
			for _, k := range tc.absent {
				assert.NotContains(t, got, k)
			}
		})
	}
	// Only one of the two is always fine.
	for _, req := range []llm.CompletionRequest{
		{Model: "claude-sonnet-4-5", Messages: []llm.Message{llm.UserText("hi")}, Temperature: llm.Ptr(0.3)},
		{Model: "claude-sonnet-4-5", Messages: []llm.Message{llm.UserText("hi")}, TopP: llm.Ptr(0.9)},
	} {
		_, err := anthropic.EncodeRequest(&req, nil, anthropic.EncodeOptions{})
		assert.NoError(t, err)
	}
}

// TestServerToolRequestErrors: bad server tool input fails before sending.
func TestServerToolRequestErrors(t *testing.T) {
	t.Parallel()
	base := llm.CompletionRequest{Model: "claude-sonnet-4-5", Messages: []llm.Message{llm.UserText("hi")}}
	cases := []struct {
		name string
		req  func() llm.CompletionRequest
		opts []llm.Option
		kind llm.Kind
	}{
		{name: "unknown search_context_size", req: func() llm.CompletionRequest {
			r := base
			r.WebSearchOptions = &llm.WebSearchOptions{SearchContextSize: "huge"}
			return r
		}, kind: llm.KindInvalidRequest},
		{name: "server tool without type", req: func() llm.CompletionRequest { return base },
			opts: []llm.Option{anthropic.WithServerTools(anthropic.ServerTool{Name: "x"})}, kind: llm.KindInvalidRequest},
		{name: "unencodable param", req: func() llm.CompletionRequest { return base },
			opts: []llm.Option{anthropic.WithServerTools(anthropic.ServerTool{Type: anthropic.WebFetchTool, Params: map[string]any{"x": func() {}}})}, kind: llm.KindInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := &llm.Config{}
			for _, o := range tc.opts {
				o(cfg)
			}
			req := tc.req()
			_, err := anthropic.EncodeRequest(&req, cfg, anthropic.EncodeOptions{})
			var le *llm.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.kind, le.Kind)
		})
	}
	// A web_search server tool given explicitly wins over web_search_options.
	req := base
	req.WebSearchOptions = &llm.WebSearchOptions{SearchContextSize: "low"}
	cfg := &llm.Config{}
	anthropic.WithServerTools(anthropic.ServerTool{Type: anthropic.WebSearchTool, Params: map[string]any{"allowed_domains": []string{"go.dev"}}})(cfg)
	body, err := anthropic.EncodeRequest(&req, cfg, anthropic.EncodeOptions{})
	require.NoError(t, err)
	var got struct{ Tools []map[string]any }
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, []map[string]any{{"type": "web_search_20250305", "name": "web_search", "allowed_domains": []any{"go.dev"}}}, got.Tools)
}

// TestStreamServerToolsBedrockStyle decodes the server-tool streams as
// Bedrock's InvokeModel stream gives them (each event's JSON, no SSE event
// name), the path Claude on Bedrock takes through StreamDecoder.
func TestStreamServerToolsBedrockStyle(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"web_search", "server_tools"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d anthropic.StreamDecoder
			var acc llm.Accumulator
			for line := range strings.SplitSeq(string(providertest.Fixture(t, name+".sse")), "\n") {
				data, ok := strings.CutPrefix(line, "data: ")
				if !ok {
					continue
				}
				c, err := d.Decode("", []byte(data))
				require.NoError(t, err)
				acc.Add(c)
			}
			require.True(t, d.Done())
			want, err := anthropic.DecodeResponse(providertest.Fixture(t, name+".response.json"))
			require.NoError(t, err)
			got := acc.Response()
			assert.Equal(t, want.Text(), got.Text())
			assert.Equal(t, want.Choices[0].Message.Annotations, got.Choices[0].Message.Annotations)
			assert.Equal(t, blocksOf(t, want.Choices[0].Message), blocksOf(t, got.Choices[0].Message))
		})
	}
}

// TestStreamUnknownTypes feeds a stream event type, a delta type and a
// content block type that no version of the API has: none fails the
// stream; the block is kept raw, the others produce nothing.
func TestStreamUnknownTypes(t *testing.T) {
	t.Parallel()
	events := []struct{ typ, data string }{
		{"message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}`},
		{"brand_new_event", `{"type":"brand_new_event","payload":{"x":[1,2]}}`},
		{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"brand_new_delta","blob":{"y":true}}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`},
		{"content_block_stop", `{"type":"content_block_stop","index":0}`},
		{"content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"brand_new_block","content":{"z":"w"}}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"brand_new_delta","blob":1}}`},
		{"content_block_stop", `{"type":"content_block_stop","index":1}`},
		{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`},
		{"message_stop", `{"type":"message_stop"}`},
	}
	var d anthropic.StreamDecoder
	var acc llm.Accumulator
	for _, ev := range events {
		c, err := d.Decode(ev.typ, []byte(ev.data))
		require.NoError(t, err, ev.data)
		acc.Add(c)
	}
	got := acc.Response()
	assert.Equal(t, "hi", got.Text())
	assert.Equal(t, []any{map[string]any{"type": "brand_new_block", "content": map[string]any{"z": "w"}}}, blocksOf(t, got.Choices[0].Message))
	assert.Equal(t, llm.FinishStop, got.Choices[0].FinishReason)
}
