// Package jsonx holds small JSON helpers shared by the translators.
package jsonx

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// MergeObject merges extra into the JSON object body: keys body lacks are
// appended, keys it has are replaced by extra's value. The common case (no
// clash) splices bytes without re-decoding body. Keys are written in sorted
// order so that the output is deterministic.
func MergeObject(body []byte, extra map[string]any) ([]byte, error) {
	if len(extra) == 0 {
		return body, nil
	}
	trimmed := bytes.TrimRight(body, " \t\r\n")
	if len(trimmed) < 2 || trimmed[0] != '{' || trimmed[len(trimmed)-1] != '}' {
		return nil, &json.UnsupportedValueError{Str: "jsonx: body is not a JSON object"}
	}
	keys := slices.Sorted(maps.Keys(extra))
	for _, k := range keys {
		if gjson.GetBytes(trimmed, gjson.Escape(k)).Exists() {
			return mergeSlow(trimmed, extra)
		}
	}
	out := make([]byte, 0, len(trimmed)+32*len(keys))
	out = append(out, trimmed[:len(trimmed)-1]...)
	empty := len(bytes.TrimSpace(trimmed[1:len(trimmed)-1])) == 0
	for _, k := range keys {
		v, err := json.Marshal(extra[k])
		if err != nil {
			return nil, err
		}
		kb, _ := json.Marshal(k)
		if !empty {
			out = append(out, ',')
		}
		empty = false
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

func mergeSlow(body []byte, extra map[string]any) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	for k, v := range extra {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m[k] = b
	}
	return json.Marshal(m)
}

// FieldNames returns the JSON names of the fields of the struct v, as
// encoding/json would name them (fields tagged "-" left out).
func FieldNames(v any) map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		names[name] = true
	}
	return names
}
