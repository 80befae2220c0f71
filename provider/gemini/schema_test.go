package gemini

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvertSchema(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"strips unknown keywords",
			`{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","type":"object","additionalProperties":false,"examples":[{}],"properties":{"a":{"type":"string","format":"uri","minLength":1}}}`,
			`{"type":"OBJECT","properties":{"a":{"type":"STRING","minLength":"1"}}}`},
		{"keeps property order",
			`{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"string"},"m":{"type":"string"}}}`,
			`{"type":"OBJECT","properties":{"z":{"type":"STRING"},"a":{"type":"STRING"},"m":{"type":"STRING"}}}`},
		{"nested $ref through definitions and arrays",
			`{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/definitions/Item"}}},"definitions":{"Item":{"type":"object","properties":{"tag":{"$ref":"#/definitions/Tag"},"qty":{"type":"integer","format":"int64"}}},"Tag":{"type":"string","enum":["a","b"]}}}`,
			`{"type":"OBJECT","properties":{"items":{"type":"ARRAY","items":{"type":"OBJECT","properties":{"tag":{"type":"STRING","enum":["a","b"]},"qty":{"type":"INTEGER","format":"int64"}}}}}}`},
		{"$ref description wins",
			`{"type":"object","properties":{"u":{"$ref":"#/$defs/U","description":"the unit"}},"$defs":{"U":{"type":"string","description":"unit"}}}`,
			`{"type":"OBJECT","properties":{"u":{"type":"STRING","description":"the unit"}}}`},
		{"anyOf with null is nullable",
			`{"anyOf":[{"type":"object","properties":{"x":{"type":"number"}}},{"type":"null"}],"description":"maybe"}`,
			`{"type":"OBJECT","properties":{"x":{"type":"NUMBER"}},"nullable":true,"description":"maybe"}`},
		{"anyOf of several stays anyOf",
			`{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}`,
			`{"anyOf":[{"type":"STRING"},{"type":"INTEGER"}],"nullable":true}`},
		{"oneOf is anyOf",
			`{"oneOf":[{"type":"string"},{"type":"boolean"}]}`,
			`{"anyOf":[{"type":"STRING"},{"type":"BOOLEAN"}]}`},
		{"type list with null",
			`{"type":["string","null"],"maxLength":5}`,
			`{"type":"STRING","nullable":true,"maxLength":"5"}`},
		{"type list without null",
			`{"type":["string","number"]}`,
			`{"anyOf":[{"type":"STRING"},{"type":"NUMBER"}]}`},
		{"allOf merged",
			`{"allOf":[{"$ref":"#/$defs/A"},{"type":"object","properties":{"b":{"type":"integer"}},"required":["b"]}],"$defs":{"A":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}}`,
			`{"type":"OBJECT","properties":{"a":{"type":"STRING"},"b":{"type":"INTEGER"}},"required":["a","b"]}`},
		{"non-string enum dropped, const kept",
			`{"type":"object","properties":{"n":{"type":"integer","enum":[1,2]},"k":{"const":"fixed"}}}`,
			`{"type":"OBJECT","properties":{"n":{"type":"INTEGER"},"k":{"type":"STRING","enum":["fixed"]}}}`},
		{"boolean and tuple schemas",
			`{"type":"object","properties":{"any":true,"pair":{"type":"array","items":[{"type":"string"},{"type":"number"}]}}}`,
			`{"type":"OBJECT","properties":{"any":{},"pair":{"type":"ARRAY","items":{"type":"STRING"}}}}`},
		{"bounds and defaults",
			`{"type":"integer","minimum":0,"maximum":10.5,"default":3,"title":"T"}`,
			`{"type":"INTEGER","minimum":0,"maximum":10.5,"default":3,"title":"T"}`},
		{"a definition used twice",
			`{"type":"object","properties":{"a":{"$ref":"#/$defs/P","description":"first"},"b":{"$ref":"#/$defs/P"}},"$defs":{"P":{"type":"string"}}}`,
			`{"type":"OBJECT","properties":{"a":{"type":"STRING","description":"first"},"b":{"type":"STRING"}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := convertSchema(json.RawMessage(c.in))
			require.NoError(t, err)
			got, err := json.Marshal(s)
			require.NoError(t, err)
			assert.JSONEq(t, c.want, string(got))
			if c.name == "keeps property order" {
				assert.Less(t, strings.Index(string(got), `"z"`), strings.Index(string(got), `"a"`))
			}
		})
	}
}

func TestConvertSchemaErrors(t *testing.T) {
	t.Parallel()
	_, err := convertSchema(json.RawMessage(`{"type":"object","properties":{"x":{"$ref":"#/$defs/Missing"}}}`))
	assert.ErrorContains(t, err, "unresolvable $ref")
	_, err = convertSchema(json.RawMessage(`{"$ref":"#/$defs/A","$defs":{"A":{"type":"object","properties":{"next":{"$ref":"#/$defs/A"}}}}}`))
	assert.ErrorIs(t, err, errRecursive)
	deep := strings.Repeat(`{"type":"array","items":`, 70) + `{"type":"string"}` + strings.Repeat(`}`, 70)
	_, err = convertSchema(json.RawMessage(deep))
	assert.ErrorContains(t, err, "deeper")
	// Each definition uses the next twice: 2^30 nodes once inlined.
	var defs []string
	for i := range 30 {
		defs = append(defs, fmt.Sprintf(`"D%d":{"type":"object","properties":{"a":{"$ref":"#/$defs/D%d"},"b":{"$ref":"#/$defs/D%d"}}}`, i, i+1, i+1))
	}
	defs = append(defs, `"D30":{"type":"string"}`)
	_, err = convertSchema(json.RawMessage(`{"$ref":"#/$defs/D0","$defs":{` + strings.Join(defs, ",") + `}}`))
	assert.ErrorContains(t, err, "10000 nodes")
	_, err = convertSchema(json.RawMessage(`{"type":3}`))
	assert.Error(t, err)
}

// TestRecursiveSchemaFallsBack checks that a recursive schema, which
// Gemini's subset cannot express, is sent as parametersJsonSchema.
func TestRecursiveSchemaFallsBack(t *testing.T) {
	t.Parallel()
	params := `{"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}}`
	body, err := EncodeRequest(&llm.CompletionRequest{Model: "gemini-2.5-flash", Messages: []llm.Message{llm.UserText("hi")},
		Tools:          []llm.Tool{llm.FunctionTool("tree", "a tree", params)},
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "tree", Schema: json.RawMessage(params)}}}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],
		"tools":[{"functionDeclarations":[{"name":"tree","description":"a tree","parametersJsonSchema":`+params+`}]}],
		"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":`+params+`}}`, string(body))

	_, err = EncodeRequest(&llm.CompletionRequest{Model: "m", Messages: []llm.Message{llm.UserText("hi")},
		Tools: []llm.Tool{llm.FunctionTool("bad", "", `{"$ref":"#/nowhere"}`)}}, nil)
	var e *llm.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, llm.KindInvalidRequest, e.Kind)
}
