package bedrock_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

func benchFrames(n int) []byte {
	pieces := make([]string, n)
	for i := range pieces {
		pieces[i] = "token number " + strconv.Itoa(i) + " of the answer "
	}
	return joinFrames(streamFrames(pieces, llm.Usage{PromptTokens: 25, CompletionTokens: 200, TotalTokens: 225}))
}

var benchReq = llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.SystemText("Be brief."), llm.UserText("Tell me a story.")}, MaxTokens: 512}

// BenchmarkConverseStream streams 200 deltas through llm.CompletionStream
// from a local server: signing, sending, event-stream and chunk decoding.
func BenchmarkConverseStream(b *testing.B) {
	srv := providertest.BenchServer(b, "application/vnd.amazon.eventstream", benchFrames(200))
	opts := testOptions(srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range llm.CompletionStream(context.Background(), benchReq, opts...) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n < 200 {
			b.Fatal(n)
		}
	}
}

// BenchmarkConverseStreamFloor does the same call with plain net/http, the
// SDK signer, encoding/binary frame reading with both CRCs and
// encoding/json.
func BenchmarkConverseStreamFloor(b *testing.B) {
	srv := providertest.BenchServer(b, "application/vnd.amazon.eventstream", benchFrames(200))
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	type event struct {
		Delta *struct {
			Text string `json:"text"`
		} `json:"delta"`
		StopReason string `json:"stopReason"`
		Usage      *struct {
			InputTokens, OutputTokens, TotalTokens int
		} `json:"usage"`
	}
	type reqBody struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
		System []struct {
			Text string `json:"text"`
		} `json:"system"`
		InferenceConfig struct {
			MaxTokens int `json:"maxTokens"`
		} `json:"inferenceConfig"`
	}
	b.ReportAllocs()
	buf := make([]byte, 4096)
	for b.Loop() {
		var rb reqBody
		rb.Messages = make([]struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		}, 1)
		rb.Messages[0].Role = "user"
		rb.Messages[0].Content = []struct {
			Text string `json:"text"`
		}{{Text: "Tell me a story."}}
		rb.System = []struct {
			Text string `json:"text"`
		}{{Text: "Be brief."}}
		rb.InferenceConfig.MaxTokens = 512
		body, _ := json.Marshal(&rb)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+claudePath+"/converse-stream", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/vnd.amazon.eventstream")
		sum := sha256.Sum256(body)
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := io.ReadFull(resp.Body, buf[:12]); err != nil {
				break
			}
			total := int(binary.BigEndian.Uint32(buf))
			hl := int(binary.BigEndian.Uint32(buf[4:]))
			if crc32.ChecksumIEEE(buf[:8]) != binary.BigEndian.Uint32(buf[8:]) {
				b.Fatal("prelude crc")
			}
			if _, err := io.ReadFull(resp.Body, buf[12:total]); err != nil {
				b.Fatal(err)
			}
			if crc32.ChecksumIEEE(buf[:total-4]) != binary.BigEndian.Uint32(buf[total-4:]) {
				b.Fatal("message crc")
			}
			var ev event
			if err := json.Unmarshal(buf[12+hl:total-4], &ev); err != nil {
				b.Fatal(err)
			}
			if ev.Delta != nil {
				sink = &llm.Chunk{ID: "id", Object: "chat.completion.chunk", Model: claude, Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: ev.Delta.Text}}}}
				n++
			}
		}
		resp.Body.Close()
		if n < 200 {
			b.Fatal(n)
		}
	}
}

var sink *llm.Chunk

// BenchmarkConverse makes a non-streamed call through llm.Completion.
func BenchmarkConverse(b *testing.B) {
	srv := providertest.BenchServer(b, "application/json", providertest.Fixture(b, "tools.response.json"))
	req := toolsRequest()
	opts := testOptions(srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := llm.Completion(context.Background(), req, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConverseFloor posts the same wire body with plain net/http and
// the SDK signer and decodes the answer with encoding/json into typed
// structs.
func BenchmarkConverseFloor(b *testing.B) {
	srv := providertest.BenchServer(b, "application/json", providertest.Fixture(b, "tools.response.json"))
	wire := providertest.Fixture(b, "tools.request.json")
	var body any
	if err := json.Unmarshal(wire, &body); err != nil {
		b.Fatal(err)
	}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	type response struct {
		Output struct {
			Message struct {
				Role    string `json:"role"`
				Content []struct {
					Text             string `json:"text"`
					ReasoningContent *struct {
						ReasoningText struct{ Text, Signature string } `json:"reasoningText"`
					} `json:"reasoningContent"`
					ToolUse *struct {
						ToolUseID string          `json:"toolUseId"`
						Name      string          `json:"name"`
						Input     json.RawMessage `json:"input"`
					} `json:"toolUse"`
				} `json:"content"`
			} `json:"message"`
		} `json:"output"`
		StopReason string `json:"stopReason"`
		Usage      struct {
			InputTokens, OutputTokens, TotalTokens, CacheReadInputTokens, CacheWriteInputTokens int
		} `json:"usage"`
	}
	b.ReportAllocs()
	for b.Loop() {
		out, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+claudePath+"/converse", bytes.NewReader(out))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		sum := sha256.Sum256(out)
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var r response
		if err := json.Unmarshal(raw, &r); err != nil {
			b.Fatal(err)
		}
	}
}
