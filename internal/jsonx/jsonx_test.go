package jsonx

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestMergeObject(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body  string
		extra map[string]any
		want  string
	}{
		{`{"a":1}`, nil, `{"a":1}`},
		{`{"a":1}`, map[string]any{"b": 2, "c": "x"}, `{"a":1,"b":2,"c":"x"}`},
		{`{}`, map[string]any{"b": true}, `{"b":true}`},
		{`{"a":1,"b":{"c":2}}`, map[string]any{"b": 3}, `{"a":1,"b":3}`},
		{`{"a.b":1}`, map[string]any{"a.b": 2}, `{"a.b":2}`},
		{`{"a":1} `, map[string]any{"raw": json.RawMessage(`[1,2]`)}, `{"a":1,"raw":[1,2]}`},
	}
	for _, c := range cases {
		got, err := MergeObject([]byte(c.body), c.extra)
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal([]byte(c.want), &w)
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Errorf("MergeObject(%s, %v): got %s, want %s", c.body, c.extra, got, c.want)
		}
	}
	if _, err := MergeObject([]byte(`[1]`), map[string]any{"a": 1}); err == nil {
		t.Error("merging into an array: want an error")
	}
	if _, err := MergeObject([]byte(`{}`), map[string]any{"a": make(chan int)}); err == nil {
		t.Error("an unencodable value: want an error")
	}
}

func TestFieldNames(t *testing.T) {
	t.Parallel()
	type s struct {
		A int `json:"a,omitempty"`
		B int `json:"-"`
		C int
		d int //lint:ignore U1000 an unexported field, which FieldNames must skip
	}
	got := FieldNames(s{})
	if len(got) != 2 || !got["a"] || !got["C"] {
		t.Errorf("got %v, want a and C", got)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\ nl\n tab\t", "<html>&", "\u2028\u2029", "\xff\xfe bad", "é中文🙂", "\x00\x1f\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		// PlainString: when it says plain, the bytes are the decoded value.
		raw := want[1 : len(want)-1]
		if PlainString(raw) {
			var back string
			if err := json.Unmarshal(want, &back); err != nil || back != string(raw) {
				t.Fatalf("PlainString(%q) but decodes to %q", raw, back)
			}
		}
		if PlainString([]byte(s)) {
			var back string
			if err := json.Unmarshal([]byte(`"`+s+`"`), &back); err != nil || back != s {
				t.Fatalf("PlainString(%q) but decodes to %q (%v)", s, back, err)
			}
		}
	})
}

func TestParse(t *testing.T) {
	t.Parallel()
	if _, ok := Parse([]byte(`{"a":[1,{"b":null}]}`)); !ok {
		t.Error("valid JSON: want ok")
	}
	if _, ok := Parse([]byte(`{"a":`)); ok {
		t.Error("invalid JSON: want encoding/json's error path")
	}
	deep := `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
	if _, ok := Parse([]byte(deep)); ok {
		t.Error("nesting past encoding/json's limit: want encoding/json's error path")
	}
	var v any
	if json.Unmarshal([]byte(deep), &v) == nil {
		t.Error("encoding/json accepts the deep input; the limit assumption is wrong")
	}
}

type pair struct {
	A string
	N int
}

// decodePair decodes {"a": string, "n": int} with Object.
func decodePair(e gjson.Result, p *pair) error {
	return Object(e, func(k, v gjson.Result) error {
		switch k.Str {
		case "a":
			return Str(v, &p.A)
		case "n":
			return Int(v, &p.N)
		}
		return UnknownKey(k, []string{"a", "n"})
	})
}

func TestObject(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want pair
		err  error
	}{
		{`{"a":"x","n":2,"other":[1]}`, pair{"x", 2}, nil},
		{`null`, pair{"kept", 1}, nil}, // null leaves the value as it is
		{`{"a":null}`, pair{"kept", 1}, nil},
		{`{}`, pair{"kept", 1}, nil},
		{`[]`, pair{"kept", 1}, ErrSlowPath},
		{`"s"`, pair{"kept", 1}, ErrSlowPath},
		{`{"A":"x"}`, pair{"kept", 1}, ErrSlowPath},            // case-insensitive match: encoding/json's call
		{`{"n":1.5,"a":"late"}`, pair{"kept", 1}, ErrSlowPath}, // the first error stops the walk
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			p := pair{"kept", 1}
			err := decodePair(gjson.Parse(c.in), &p)
			if err != c.err {
				t.Errorf("got error %v, want %v", err, c.err)
			}
			if p != c.want {
				t.Errorf("got %+v, want %+v", p, c.want)
			}
		})
	}
}

func TestArray(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		old  []pair
		want []pair
		err  error
	}{
		{`[{"a":"x"},null,{"n":3}]`, nil, []pair{{A: "x"}, {}, {N: 3}}, nil},
		{`[]`, nil, []pair{}, nil},
		{`null`, []pair{{A: "old"}}, nil, nil},
		{`{}`, nil, nil, ErrSlowPath},
		{`[1]`, nil, []pair{{}}, ErrSlowPath},
		{`[{"a":"x"},{"n":"y"}]`, nil, []pair{{A: "x"}, {}}, ErrSlowPath},
		// A repeated key: encoding/json decodes into the elements it has.
		{`[{"a":"x"}]`, []pair{{N: 1}}, []pair{{N: 1}}, ErrSlowPath},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			out := c.old
			err := Array(gjson.Parse(c.in), &out, 1, decodePair)
			if err != c.err {
				t.Errorf("got error %v, want %v", err, c.err)
			}
			if (out == nil) != (c.want == nil) || !slices.Equal(out, c.want) {
				t.Errorf("got %#v, want %#v", out, c.want)
			}
		})
	}
}

func TestObjectAllocs(t *testing.T) {
	root := gjson.Parse(`[{"a":"x","n":2},{"a":"y"}]`)
	var out []pair
	n := testing.AllocsPerRun(100, func() {
		out = nil
		_ = Array(root, &out, 2, decodePair)
	})
	if n != 1 {
		t.Errorf("got %v allocations, want 1 (the slice)", n)
	}
}
