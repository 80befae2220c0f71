// Command tools runs a tool-calling loop: the model asks for a function, the
// program runs it and sends the result back until the model answers. Offline
// on the mock provider (scripted to call get_weather once) by default:
//
//	go run ./examples/tools
//	OPENAI_API_KEY=... go run ./examples/tools -model openai/gpt-4o-mini
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/all"
)

// getWeather is the tool the model may call.
func getWeather(args string) (string, error) {
	var in struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal([]byte(args), &in); err != nil {
		return "", err
	}
	return fmt.Sprintf(`{"city":%q,"temperature_c":18,"sky":"clear"}`, in.City), nil
}

func main() {
	model := flag.String("model", "mock/demo", "provider/model string")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, *model); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, model string) error {
	// The mock provider plays the model: first a tool call, then an answer
	// that uses the tool's result.
	mock := llm.ForProvider("mock", llm.WithMockResponder(func(_ context.Context, req *llm.CompletionRequest) llm.MockResponse {
		last := req.Messages[len(req.Messages)-1]
		if last.Role == llm.RoleTool {
			return llm.MockResponse{Content: "It is 18°C and clear in Paris. Result: " + last.Content.String()}
		}
		return llm.MockResponse{ToolCalls: []llm.ToolCall{{Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}}
	}))

	req := llm.CompletionRequest{
		Model:    model,
		Messages: []llm.Message{llm.UserText("What's the weather in Paris?")},
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Current weather for a city",
			`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
	}
	for turn := 0; turn < 5; turn++ {
		resp, err := llm.Completion(ctx, req, mock)
		if err != nil {
			return err
		}
		msg := resp.Message() // the first choice's message; the zero Message if there is none
		if len(msg.ToolCalls) == 0 {
			fmt.Fprintln(out, msg.Content.String())
			return nil
		}
		req.Messages = append(req.Messages, msg)
		for _, tc := range msg.ToolCalls {
			fmt.Fprintf(out, "-> %s(%s)\n", tc.Function.Name, tc.Function.Arguments)
			out, err := getWeather(tc.Function.Arguments)
			if err != nil {
				out = `{"error":` + fmt.Sprintf("%q", err.Error()) + `}`
			}
			req.Messages = append(req.Messages, llm.ToolResult(tc.ID, out))
		}
	}
	return errors.New("no answer after 5 turns")
}
