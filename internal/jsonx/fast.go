package jsonx

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// The helpers below build fast decoders that give exactly what
// json.Unmarshal gives (provider/openai's chunk decoder, provider/gemini's
// response decoder): gjson walks the input, strings without escapes are
// sliced from one copy of it, and anything the fast path cannot decode
// exactly as encoding/json would is reported with ErrSlowPath so that the
// caller decodes the input with encoding/json instead. Each decoder is held
// to encoding/json by a differential fuzz test.

// ErrSlowPath means the fast path cannot decode the input exactly as
// encoding/json would; the caller decodes it with encoding/json whole.
var ErrSlowPath = errors.New("jsonx: slow path")

// maxNestingDepth is encoding/json's limit on nested arrays and objects,
// which gjson does not have.
const maxNestingDepth = 10000

// Parse validates data and parses it for a fast decoder. ok is false when
// the input must go to encoding/json: invalid JSON (for encoding/json's own
// error) or nesting close to encoding/json's depth limit.
func Parse(data []byte) (root gjson.Result, ok bool) {
	if !gjson.ValidBytes(data) || (len(data) > maxNestingDepth && tooDeep(data)) {
		return gjson.Result{}, false
	}
	return gjson.Parse(string(data)), true
}

// tooDeep reports whether data nests arrays and objects close to
// encoding/json's limit.
func tooDeep(data []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth >= maxNestingDepth-10 {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// Str stores a JSON string. null leaves dst unchanged, as encoding/json
// does. gjson's unescaping of the two-character escapes (\" \\ \/ \b \f
// \n \r \t) is encoding/json's; a string with a \u escape (where the two
// differ on lone surrogates) or invalid UTF-8 is decoded by encoding/json,
// whose unescaping and U+FFFD replacement are the reference.
func Str(v gjson.Result, dst *string) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.String:
		if (strings.IndexByte(v.Raw, '\\') >= 0 && strings.Contains(v.Raw, `\u`)) || !utf8.ValidString(v.Str) {
			var s string // declared here so that only this path allocates it
			if err := json.Unmarshal([]byte(v.Raw), &s); err != nil {
				return err
			}
			*dst = s
			return nil
		}
		*dst = v.Str
		return nil
	}
	return ErrSlowPath
}

// Bool stores a JSON boolean; null leaves dst unchanged.
func Bool(v gjson.Result, dst *bool) error {
	switch v.Type {
	case gjson.Null:
	case gjson.True:
		*dst = true
	case gjson.False:
		*dst = false
	default:
		return ErrSlowPath
	}
	return nil
}

// Int64 stores a JSON integer; null leaves dst unchanged. A fraction, an
// exponent or an overflow is ErrSlowPath (encoding/json reports it).
func Int64(v gjson.Result, dst *int64) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.Number:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil {
			return ErrSlowPath
		}
		*dst = n
		return nil
	}
	return ErrSlowPath
}

// Int stores a JSON integer that fits an int; null leaves dst unchanged.
func Int(v gjson.Result, dst *int) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.Number:
		n, err := strconv.ParseInt(v.Raw, 10, 0)
		if err != nil {
			return ErrSlowPath
		}
		*dst = int(n)
		return nil
	}
	return ErrSlowPath
}

// Object decodes a JSON object into a value key by key: field decodes one
// key's value, and its first error stops the walk. null leaves the value as
// it is, as encoding/json leaves a struct; anything else but an object is
// ErrSlowPath.
func Object(v gjson.Result, field func(k, v gjson.Result) error) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return ErrSlowPath
	}
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		err = field(k, v)
		return err == nil
	})
	return err
}

// Array decodes a JSON array of objects into a new slice (of capacity size
// to start with) in *out. Each element is decoded in place by elem (an
// element of its own would escape to the heap), from its zero value; a null
// element stays zero. null stores nil, as encoding/json does; anything else
// but an array, an element that is neither an object nor null, and an *out
// already set (a repeated key, which encoding/json decodes into the
// elements it has) are ErrSlowPath.
func Array[T any](v gjson.Result, out *[]T, size int, elem func(e gjson.Result, dst *T) error) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray() || *out != nil:
		return ErrSlowPath
	}
	s := make([]T, 0, size)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		var zero T
		s = append(s, zero)
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = ErrSlowPath
		default:
			err = elem(e, &s[len(s)-1])
		}
		return err == nil
	})
	*out = s
	return err
}

// Slow decodes a rare field with encoding/json, into the field as it is (as
// encoding/json does for a repeated key).
func Slow[T any](v gjson.Result, dst *T) error {
	return json.Unmarshal([]byte(v.Raw), dst)
}

// UnknownKey ignores a key the type does not have, as encoding/json does,
// unless encoding/json could match it to one of known case-insensitively
// (or it is escaped, or not ASCII): then it is ErrSlowPath.
func UnknownKey(k gjson.Result, known []string) error {
	if strings.IndexByte(k.Raw, '\\') >= 0 {
		return ErrSlowPath
	}
	for i := 0; i < len(k.Str); i++ {
		if k.Str[i] >= utf8.RuneSelf {
			return ErrSlowPath
		}
	}
	for _, name := range known {
		if strings.EqualFold(k.Str, name) {
			return ErrSlowPath
		}
	}
	return nil
}

// Decode decodes data into a new T as json.Unmarshal would: fields, the fast
// path, decodes a JSON object's fields into the value; input the fast path
// cannot take (invalid JSON, deep nesting, not an object) and any error from
// fields send the whole input to encoding/json instead, so that results and
// errors are encoding/json's.
func Decode[T any](data []byte, fields func(root gjson.Result, v *T) error) (*T, error) {
	v := new(T)
	root, ok := Parse(data)
	switch {
	case !ok:
		return v, json.Unmarshal(data, v)
	case root.Type == gjson.Null:
		return v, nil
	case !root.IsObject():
		return v, json.Unmarshal(data, v)
	}
	if fields(root, v) != nil {
		var zero T
		*v = zero
		return v, json.Unmarshal(data, v)
	}
	return v, nil
}
