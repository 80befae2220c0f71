package llm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmux/llm"
)

func ExampleCompletion() {
	resp, err := llm.Completion(context.Background(), llm.CompletionRequest{
		Model:    "mock/demo", // "openai/gpt-4o", "anthropic/claude-sonnet-4-20250514", ...
		Messages: []llm.Message{llm.UserText("Hello!")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println(resp.FinishReason(), resp.Usage.TotalTokens)
	// Output:
	// Mock response to: Hello!
	// stop 8
}

func ExampleCompletionStream() {
	ctx := context.Background()
	req := llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("Count to three.")}}
	script := llm.WithMockResponse(llm.MockResponse{Content: "one two three"})
	// The README's loop. The last chunk carries the usage and no choices:
	// chunk.Text() is "" there, where chunk.Choices[0] would panic.
	for chunk, err := range llm.CompletionStream(ctx, req, script) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(chunk.Text())
		if chunk.Usage != nil {
			fmt.Printf("\n(%d choices in the last chunk; %d tokens)\n", len(chunk.Choices), chunk.Usage.TotalTokens)
		}
	}
	// Output:
	// one two three
	// (0 choices in the last chunk; 9 tokens)
}

func ExampleChunk_Text() {
	req := llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("Count to three.")}}
	script := llm.WithMockResponse(llm.MockResponse{Content: "one two three"})
	for chunk, err := range llm.CompletionStream(context.Background(), req, script) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q %q\n", chunk.Text(), chunk.FinishReason())
	}
	// Output:
	// "" ""
	// "one " ""
	// "two " ""
	// "three" ""
	// "" "stop"
	// "" ""
}

func ExampleCompletionResponse_Message() {
	req := llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("Weather in Paris?")}}
	script := llm.WithMockResponse(llm.MockResponse{ToolCalls: []llm.ToolCall{
		{Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
	}})
	resp, err := llm.Completion(context.Background(), req, script)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Message is the first choice's message, ready to append to the
	// conversation; it is the zero Message when there are no choices.
	msg := resp.Message()
	req.Messages = append(req.Messages, msg)
	fmt.Println(msg.Role, resp.FinishReason(), len(msg.ToolCalls), msg.ToolCalls[0].Function.Name)
	// Output:
	// assistant tool_calls 1 get_weather
}

func ExampleCollect() {
	req := llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("Weather in Paris?")}}
	script := llm.WithMockResponse(llm.MockResponse{ToolCalls: []llm.ToolCall{
		{Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
	}})
	resp, err := llm.Collect(llm.CompletionStream(context.Background(), req, script))
	if err != nil {
		fmt.Println(err)
		return
	}
	tc := resp.ToolCalls()[0]
	fmt.Println(resp.FinishReason(), tc.ID, tc.Function.Name, tc.Function.Arguments)
	// Output:
	// tool_calls call_mock_0 get_weather {"city":"Paris"}
}

func ExampleError() {
	// Any provider's rate limit is the same error kind.
	rateLimited := llm.WithMockResponse(llm.MockResponse{
		Err: &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, Message: "slow down", RetryAfter: 2 * time.Second},
	})
	_, err := llm.Completion(context.Background(),
		llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("hi")}}, rateLimited)

	var e *llm.Error
	if errors.Is(err, llm.ErrRateLimit) && errors.As(err, &e) {
		fmt.Println("retry after", e.RetryAfter)
	}
	fmt.Println(err)
	// Output:
	// retry after 2s
	// llm: mock/demo: rate limit (429): slow down (retry after 2s)
}

func ExampleNewClient() {
	// One client, a key per provider; call options override client options.
	client := llm.NewClient(
		llm.ForProvider("openai", llm.WithAPIKey("sk-...")),
		llm.ForProvider("anthropic", llm.WithAPIKey("sk-ant-...")),
	)
	resp, err := client.Completion(context.Background(),
		llm.CompletionRequest{Model: "mock/demo", Messages: []llm.Message{llm.UserText("ping")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// Mock response to: ping
}
