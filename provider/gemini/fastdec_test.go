package gemini

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// responseSamples are GenerateContentResponse shapes and edge cases for the
// differential check of decodeGenerateResponse against encoding/json.
var responseSamples = []string{
	`{"candidates":[{"content":{"parts":[{"text":" token"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":100,"totalTokenCount":100},"modelVersion":"gemini-2.5-flash","responseId":"r1"}`,
	`{"candidates":[{"content":{"parts":[{"text":"21 = 3 × 7, ","thought":true}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-pro","responseId":"resp-think-1"}`,
	`{"candidates":[{"content":{"parts":[{"text":"No.","thoughtSignature":"c2lnLTM="}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"cachedContentTokenCount":4,"candidatesTokenCount":5,"thoughtsTokenCount":25,"totalTokenCount":40,"toolUsePromptTokenCount":1}}`,
	`{"candidates":[{"content":{"parts":[{"functionCall":{"id":"c1","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"sig"}],"role":"model"},"finishReason":"STOP","index":0}]}`,
	`{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"SAFETY","finishMessage":"blocked","index":1,"logprobsResult":{"topCandidates":[{"candidates":[{"token":"a","logProbability":-0.5}]}],"chosenCandidates":[{"token":"a","logProbability":-0.5}]}}]}`,
	`{"promptFeedback":{"blockReason":"SAFETY","blockReasonMessage":"m"},"usageMetadata":{"promptTokenCount":3,"promptTokensDetails":[{"modality":"TEXT","tokenCount":3}],"candidatesTokensDetails":[]}}`,
	`{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`,
	`{"error":null,"usageMetadata":null,"candidates":null,"promptFeedback":null}`,
	`{"candidates":[],"modelVersion":null}`, `{"candidates":[null,{"content":null},{"content":{"parts":null}},{"content":{"parts":[]}}]}`,
	`{"candidates":[{"content":{"parts":[null,{"text":null,"thought":null,"thoughtSignature":null,"functionCall":null}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"text":"line\nwith \"escapes\" \u00e9 \ud800"}]}}]}`,
	`{"responseId":"bad` + "\xff" + `utf8","modelVersion":"\u0067"}`,
	`{"Candidates":[{"Index":2}]}`, `{"candidates":[{"INDEX":2,"Content":{"Parts":[{"TEXT":"x","Thought":true}]}}]}`,
	`{"candidateſ":[]}`, `{"te\u0078t":1}`, `{"candidates":[{"content":{"parts":[{"te\u0078t":"x"}]}}]}`,
	`{"candidates":[{"index":0}],"candidates":[{"finishReason":"STOP"}]}`,
	`{"candidates":[{"content":{"parts":[{"text":"a"}]},"content":{"parts":[{"thought":true}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"text":"a","text":"b"}],"parts":[{"thought":true}]}}]}`,
	`{"usageMetadata":{"promptTokenCount":1},"usageMetadata":{"totalTokenCount":2}}`,
	`{"promptFeedback":{"blockReason":"A"},"promptFeedback":{"blockReasonMessage":"B"}}`,
	`{"responseId":"a","responseId":"b","responseId":null}`,
	`{"candidates":[{"index":1.5}]}`, `{"candidates":[{"index":1e3}]}`, `{"candidates":[{"index":-0}]}`,
	`{"candidates":[{"index":99999999999999999999}]}`, `{"candidates":[{"index":"1"}]}`,
	`{"candidates":{}}`, `{"candidates":[1]}`, `{"candidates":[{"content":[]}]}`, `{"candidates":[{"content":{"parts":{}}}]}`,
	`{"candidates":[{"content":{"parts":[1]}}]}`, `{"candidates":[{"content":{"parts":[{"text":42}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"thought":"yes"}]}}]}`, `{"usageMetadata":[]}`, `{"usageMetadata":{"totalTokenCount":"3"}}`,
	`{"candidates":[{"content":{"parts":[{"functionCall":{"name":1}}]}}]}`, `{"error":{"code":"x"}}`, `{"error":[1,2]}`,
	`{"candidates":[{"content":{"parts":[{"text":"x","extra":{"deep":[1,2,{"a":null}]}}],"role":"model"},"citationMetadata":{},"safetyRatings":[]}]}`,
	` { "candidates" : [ { "index" : 3 } ] } `, `null`, ` null `, `[]`, `"s"`, `1`, `true`, `{`, ``, `{}`, `{"a":1}x`, `{"a":01}`,
	"{\"responseId\":\"tab\there\"}", `{"responseId":"\u00"}`,
	`{"candidates":[{"content":{"parts":[{"executableCode":null,"codeExecutionResult":{"outcome":"OUTCOME_OK"}},{"inlineData":{"mimeType":"image/png","data":"iVBO"}}]},"groundingMetadata":null,"urlContextMetadata":{"urlMetadata":[]}}]}`,
	`{"candidates":[{"content":{"parts":[{"x":1,"x":2,"Other":3,"-":4}]}}]}`, `{"candidates":[{"content":{"parts":[{"TEXT":"a","unknown":1}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"executablecode":{}}]}}]}`, `{"candidates":[{"content":{"parts":[{"unknown":1}],"parts":[{"text":"b"}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"unknown":}]}}]}`, `{"candidates":[{"content":{"parts":[{"k\u00e9":1}]}}]}`,
	`{"candidates":[{"groundingMetadata":{"groundingChunks":[{"web":{"uri":1}}]},"groundingMetadata":{}}]}`,
}

// TestDecodeGenerateResponseMatchesEncodingJSON is the differential check
// of the fast decoder against encoding/json, on edge cases and on every
// response and stream event in testdata.
func TestDecodeGenerateResponseMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range append(responseSamples, testdataResponses(t)...) {
		checkSameResponse(t, []byte(s))
	}
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	checkSameResponse(t, []byte(`{"x":`+deep+`}`))
	checkSameResponse(t, []byte(`{"x":`+deep[1:len(deep)-1]+`}`))
}

// TestDecodeGenerateResponse checks decoded values, not only agreement.
func TestDecodeGenerateResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    *generateResponse
		wantErr bool
	}{
		{name: "text", in: responseSamples[0], want: &generateResponse{
			Candidates:    []candidate{{Content: respContent{Parts: []respPart{{Text: " token"}}}}},
			UsageMetadata: &usageMetadata{PromptTokenCount: 100, TotalTokenCount: 100}, ModelVersion: "gemini-2.5-flash", ResponseID: "r1"}},
		{name: "thought", in: responseSamples[1], want: &generateResponse{
			Candidates:   []candidate{{Content: respContent{Parts: []respPart{{Text: "21 = 3 × 7, ", Thought: true}}}}},
			ModelVersion: "gemini-2.5-pro", ResponseID: "resp-think-1"}},
		{name: "function call", in: responseSamples[3], want: &generateResponse{
			Candidates: []candidate{{FinishReason: "STOP", Content: respContent{Parts: []respPart{{ThoughtSignature: "sig",
				FunctionCall: &functionCall{ID: "c1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)}}}}}}}},
		{name: "escapes", in: `{"candidates":[{"content":{"parts":[{"text":"a\n\u00e9"}]}}]}`, want: &generateResponse{
			Candidates: []candidate{{Content: respContent{Parts: []respPart{{Text: "a\né"}}}}}}},
		{name: "case-insensitive key", in: `{"ResponseID":"x"}`, want: &generateResponse{ResponseID: "x"}},
		{name: "repeated candidates merge", in: `{"candidates":[{"index":1}],"candidates":[{"finishReason":"STOP"}]}`,
			want: &generateResponse{Candidates: []candidate{{Index: 1, FinishReason: "STOP"}}}},
		{name: "null", in: `null`, want: &generateResponse{}},
		{name: "empty candidates", in: `{"candidates":[]}`, want: &generateResponse{Candidates: []candidate{}}},
		{name: "error object", in: `{"error":{"code":500}}`, want: &generateResponse{Error: json.RawMessage(`{"code":500}`)}},
		{name: "wrong type", in: `{"candidates":[{"content":{"parts":[{"text":42}]}}]}`, wantErr: true},
		{name: "not an object", in: `[]`, wantErr: true},
		{name: "syntax", in: `{"candidates":`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeGenerateResponse([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// testdataResponses returns the responses and stream events in testdata.
func testdataResponses(t testing.TB) []string {
	var out []string
	for _, pattern := range []string{"testdata/*.response.json", "testdata/*.sse"} {
		names, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, n := range names {
			b, err := os.ReadFile(n)
			require.NoError(t, err)
			if !strings.HasSuffix(n, ".sse") {
				out = append(out, string(b))
				continue
			}
			for line := range bytes.Lines(b) {
				if data, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("data:")); ok {
					out = append(out, string(bytes.TrimSpace(data)))
				}
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func checkSameResponse(t *testing.T, data []byte) {
	t.Helper()
	want := new(generateResponse)
	wantErr := json.Unmarshal(data, want)
	got, gotErr := decodeGenerateResponse(data)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: got error %v, encoding/json %v", data, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("%q:\n got %s\nwant %s", data, gb, wb)
	}
}

// FuzzDecodeGenerateResponse holds decodeGenerateResponse to encoding/json
// on every input: the same value and the same nil or non-nil error.
func FuzzDecodeGenerateResponse(f *testing.F) {
	for _, s := range append(responseSamples, testdataResponses(f)...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSameResponse(t, data) })
}

func BenchmarkDecodeGenerateResponse(b *testing.B) {
	data := []byte(responseSamples[0])
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeGenerateResponse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(data, new(generateResponse)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFastDecoderKnowsEveryField fails when a field is added to a wire type
// the fast decoder walks without teaching the decoder its key.
func TestFastDecoderKnowsEveryField(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ  reflect.Type
		keys []string
	}{
		{reflect.TypeFor[generateResponse](), responseKeys},
		{reflect.TypeFor[candidate](), candidateKeys},
		{reflect.TypeFor[respContent](), contentKeys},
		{reflect.TypeFor[respPart](), partKeys},
		{reflect.TypeFor[usageMetadata](), usageKeys},
	} {
		var names []string
		for f := range tt.typ.Fields() {
			if f.Name == "meta" { // candidate.meta, filled by hand
				for g := range f.Type.Elem().Fields() {
					name, _, _ := strings.Cut(g.Tag.Get("json"), ",")
					names = append(names, name)
				}
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue // filled by hand (respPart.Other)
			}
			names = append(names, name)
		}
		require.ElementsMatch(t, names, tt.keys, tt.typ.Name())
	}
}

// TestUsageVideoTokens: video output tokens (candidatesTokensDetails with
// modality VIDEO) are reported as such, so that the cost table prices them
// at their own rate instead of the text rate.
func TestUsageVideoTokens(t *testing.T) {
	t.Parallel()
	u := usage(&usageMetadata{PromptTokenCount: 10, CandidatesTokenCount: 300,
		CandidatesTokensDetails: []modalityTokenCount{{Modality: "TEXT", TokenCount: 100}, {Modality: "VIDEO", TokenCount: 200}}})
	if u.CompletionTokens != 300 || u.CompletionTokensDetails.VideoTokens != 200 {
		t.Errorf("got completion %d, video %d; want 300, 200", u.CompletionTokens, u.CompletionTokensDetails.VideoTokens)
	}
}
