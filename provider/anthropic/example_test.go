package anthropic_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/anthropic"
)

// A completion with extended thinking through the explicit route. The test
// server stands in for api.anthropic.com.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
			"content":[{"type":"thinking","thinking":"2 + 2 is 4.","signature":"c2ln"},{"type":"text","text":"4"}],
			"stop_reason":"end_turn","usage":{"input_tokens":20,"cache_read_input_tokens":100,"output_tokens":12}}`)
	}))
	defer srv.Close()

	client := llm.NewClient(llm.WithProvider(anthropic.New(), llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk-ant-...")))
	resp, err := client.Completion(context.Background(), llm.CompletionRequest{
		Model:    "anthropic/claude-sonnet-4-5",
		Messages: []llm.Message{llm.UserText("What is 2 + 2?")},
	}, anthropic.WithThinkingBudget(2048))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := resp.Choices[0].Message
	fmt.Println(resp.Text(), resp.Choices[0].FinishReason)
	fmt.Println(m.ReasoningContent, m.ThinkingBlocks[0].Signature)
	fmt.Println(resp.Usage.PromptTokens, resp.Usage.PromptTokensDetails.CachedTokens, resp.Usage.CompletionTokens)
	// Output:
	// 4 stop
	// 2 + 2 is 4. c2ln
	// 120 100 12
}

// StreamDecoder fed event by event, as a platform with its own framing
// (Bedrock's event stream) does: an empty event type is read from the JSON.
func ExampleStreamDecoder() {
	events := []string{
		`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku","content":[],"usage":{"input_tokens":9,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}`,
		`{"type":"message_stop"}`,
	}
	var d anthropic.StreamDecoder
	var acc llm.Accumulator
	for _, e := range events {
		chunk, err := d.Decode("", []byte(e))
		if err != nil {
			fmt.Println(err)
			return
		}
		acc.Add(chunk) // nil chunks are ignored
	}
	resp := acc.Response()
	tc := resp.ToolCalls()[0]
	fmt.Println(tc.ID, tc.Function.Name, tc.Function.Arguments)
	fmt.Println(resp.Choices[0].FinishReason, resp.Usage.TotalTokens)
	// Output:
	// toolu_1 get_weather {"city":"Paris"}
	// tool_calls 24
}
