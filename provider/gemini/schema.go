package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/gjson"
)

// schema is Gemini's Schema: a subset of the OpenAPI 3.0 schema object.
// Integer bounds are int64 values, which the API's JSON writes as strings.
type schema struct {
	Type             string          `json:"type,omitempty"`
	Format           string          `json:"format,omitempty"`
	Title            string          `json:"title,omitempty"`
	Description      string          `json:"description,omitempty"`
	Nullable         bool            `json:"nullable,omitempty"`
	Enum             []string        `json:"enum,omitempty"`
	Items            *schema         `json:"items,omitempty"`
	MinItems         *int64          `json:"minItems,omitempty,string"`
	MaxItems         *int64          `json:"maxItems,omitempty,string"`
	Properties       properties      `json:"properties,omitempty"`
	Required         []string        `json:"required,omitempty"`
	MinProperties    *int64          `json:"minProperties,omitempty,string"`
	MaxProperties    *int64          `json:"maxProperties,omitempty,string"`
	Minimum          *float64        `json:"minimum,omitempty"`
	Maximum          *float64        `json:"maximum,omitempty"`
	MinLength        *int64          `json:"minLength,omitempty,string"`
	MaxLength        *int64          `json:"maxLength,omitempty,string"`
	Pattern          string          `json:"pattern,omitempty"`
	Default          json.RawMessage `json:"default,omitempty"`
	AnyOf            []*schema       `json:"anyOf,omitempty"`
	PropertyOrdering []string        `json:"propertyOrdering,omitempty"`
}

// property is one named property, kept in the order the caller wrote it.
type property struct {
	Name   string
	Schema *schema
}

// properties encode as a JSON object in their original order.
type properties []property

// MarshalJSON implements json.Marshaler.
func (ps properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.Name)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonSchema is the part of a JSON Schema (draft 2020-12 and earlier, as
// OpenAI's tools and response_format take it) that the conversion reads.
// Keywords Gemini's subset lacks (additionalProperties, $schema, $id,
// examples, patternProperties...) are not decoded, which strips them.
type jsonSchema struct {
	Type             typeList               `json:"type"`
	Format           string                 `json:"format"`
	Title            string                 `json:"title"`
	Description      string                 `json:"description"`
	Nullable         bool                   `json:"nullable"`
	Enum             []json.RawMessage      `json:"enum"`
	Const            json.RawMessage        `json:"const"`
	Items            *jsonSchema            `json:"items"`
	Properties       jsonProperties         `json:"properties"`
	Required         []string               `json:"required"`
	AnyOf            []*jsonSchema          `json:"anyOf"`
	OneOf            []*jsonSchema          `json:"oneOf"`
	AllOf            []*jsonSchema          `json:"allOf"`
	Ref              string                 `json:"$ref"`
	Defs             map[string]*jsonSchema `json:"$defs"`
	Definitions      map[string]*jsonSchema `json:"definitions"`
	Minimum          *float64               `json:"minimum"`
	Maximum          *float64               `json:"maximum"`
	MinItems         *int64                 `json:"minItems"`
	MaxItems         *int64                 `json:"maxItems"`
	MinLength        *int64                 `json:"minLength"`
	MaxLength        *int64                 `json:"maxLength"`
	MinProperties    *int64                 `json:"minProperties"`
	MaxProperties    *int64                 `json:"maxProperties"`
	Pattern          string                 `json:"pattern"`
	Default          json.RawMessage        `json:"default"`
	PropertyOrdering []string               `json:"propertyOrdering"`
}

type jsonSchemaFields jsonSchema

// UnmarshalJSON implements json.Unmarshaler. The boolean schemas true and
// false (allowed wherever a schema is) decode as an empty schema; items
// given as an array (draft 4 tuples) keep their first schema.
func (s *jsonSchema) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		if b[0] == '[' {
			var tuple []*jsonSchema
			if err := json.Unmarshal(b, &tuple); err != nil {
				return err
			}
			if len(tuple) > 0 && tuple[0] != nil {
				*s = *tuple[0]
			}
			return nil
		}
		var ok bool
		return json.Unmarshal(b, &ok)
	}
	return json.Unmarshal(b, (*jsonSchemaFields)(s))
}

// typeList is a JSON Schema type: one name or a list of names.
type typeList []string

// UnmarshalJSON implements json.Unmarshaler.
func (t *typeList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*t = typeList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*t = many
	return nil
}

type jsonProperty struct {
	Name   string
	Schema *jsonSchema
}

// jsonProperties decode a JSON object keeping its key order.
type jsonProperties []jsonProperty

// UnmarshalJSON implements json.Unmarshaler.
func (ps *jsonProperties) UnmarshalJSON(b []byte) error {
	obj := gjson.ParseBytes(b)
	if obj.Type == gjson.Null {
		*ps = nil
		return nil
	}
	if !obj.IsObject() {
		return errors.New("properties is not an object")
	}
	out := jsonProperties{}
	var err error
	obj.ForEach(func(k, v gjson.Result) bool {
		s := new(jsonSchema)
		if err = json.Unmarshal([]byte(v.Raw), s); err != nil {
			return false
		}
		out = append(out, jsonProperty{Name: k.String(), Schema: s})
		return true
	})
	if err != nil {
		return err
	}
	*ps = out
	return nil
}

// errRecursive reports a schema that refers to itself, which Gemini's
// subset (no $ref) cannot express.
var errRecursive = errors.New("recursive $ref")

// maxSchemaDepth bounds the nesting of a converted schema (after $ref
// inlining).
const maxSchemaDepth = 64

// convertSchema turns a JSON Schema into Gemini's subset: $ref to $defs or
// definitions inlined, allOf merged, anyOf/oneOf with a null member and type
// lists with "null" turned into nullable, const into a one-value enum, types
// upper-cased, formats Gemini does not know dropped, and unknown keywords
// (additionalProperties, $schema...) stripped. It returns errRecursive for
// a schema whose $ref cycles.
func convertSchema(raw json.RawMessage) (*schema, error) {
	var root jsonSchema
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, err
	}
	c := converter{defs: map[string]*jsonSchema{}}
	for k, v := range root.Definitions {
		c.defs["#/definitions/"+k] = v
	}
	for k, v := range root.Defs {
		c.defs["#/$defs/"+k] = v
	}
	return c.convert(&root, 0)
}

// maxSchemaNodes bounds the size of a converted schema, since inlining
// $refs can multiply it (a definition using another twice, and so on).
const maxSchemaNodes = 10000

type converter struct {
	defs  map[string]*jsonSchema
	stack []string // $refs being expanded
	nodes int
}

func (c *converter) convert(s *jsonSchema, depth int) (*schema, error) {
	if depth > maxSchemaDepth {
		return nil, errors.New("schema nests deeper than 64 levels")
	}
	if c.nodes++; c.nodes > maxSchemaNodes {
		return nil, errors.New("schema has more than 10000 nodes once its $refs are inlined")
	}
	if s == nil {
		return &schema{}, nil
	}
	if s.Ref != "" {
		for _, r := range c.stack {
			if r == s.Ref {
				return nil, errRecursive
			}
		}
		target, ok := c.defs[s.Ref]
		if !ok {
			return nil, errors.New("unresolvable $ref " + s.Ref + " (only #/$defs/... and #/definitions/... are supported)")
		}
		c.stack = append(c.stack, s.Ref)
		out, err := c.convert(target, depth+1)
		c.stack = c.stack[:len(c.stack)-1]
		if err != nil {
			return nil, err
		}
		cp := *out // a definition may be used more than once
		if s.Description != "" {
			cp.Description = s.Description
		}
		if s.Nullable {
			cp.Nullable = true
		}
		return &cp, nil
	}

	// anyOf / oneOf: null members become nullable; one remaining member is
	// inlined, several stay an anyOf.
	if alts := append(append([]*jsonSchema(nil), s.AnyOf...), s.OneOf...); len(alts) > 0 {
		var members []*schema
		nullable := s.Nullable
		for _, a := range alts {
			if a != nil && a.isNull() {
				nullable = true
				continue
			}
			m, err := c.convert(a, depth+1)
			if err != nil {
				return nil, err
			}
			members = append(members, m)
		}
		var out *schema
		if len(members) == 1 {
			cp := *members[0]
			out = &cp
		} else {
			out = &schema{AnyOf: members}
		}
		if s.Description != "" {
			out.Description = s.Description
		}
		if s.Title != "" {
			out.Title = s.Title
		}
		if s.hasDefault() {
			out.Default = s.Default
		}
		out.Nullable = out.Nullable || nullable
		return out, nil
	}

	out := &schema{
		Format:           s.Format,
		Title:            s.Title,
		Description:      s.Description,
		Nullable:         s.Nullable,
		MinItems:         s.MinItems,
		MaxItems:         s.MaxItems,
		Required:         s.Required,
		MinProperties:    s.MinProperties,
		MaxProperties:    s.MaxProperties,
		Minimum:          s.Minimum,
		Maximum:          s.Maximum,
		MinLength:        s.MinLength,
		MaxLength:        s.MaxLength,
		Pattern:          s.Pattern,
		PropertyOrdering: s.PropertyOrdering,
	}
	if s.hasDefault() {
		out.Default = s.Default
	}
	var types []string
	for _, t := range s.Type {
		if t == "null" {
			out.Nullable = true
			continue
		}
		types = append(types, strings.ToUpper(t))
	}
	switch {
	case len(types) == 1:
		out.Type = types[0]
	case len(types) > 1:
		// ["string", "integer"]: an anyOf of the plain types.
		for _, t := range types {
			out.AnyOf = append(out.AnyOf, &schema{Type: t})
		}
	case len(s.Properties) > 0 || len(s.AllOf) > 0 && len(s.Type) == 0:
		out.Type = "OBJECT"
	case s.Items != nil:
		out.Type = "ARRAY"
	case len(s.Enum) > 0 || s.Const != nil:
		out.Type = "STRING"
	}

	// Enums: Gemini takes string values only; other enums are dropped.
	values := s.Enum
	if s.Const != nil {
		values = []json.RawMessage{s.Const}
	}
	for _, v := range values {
		var str string
		if json.Unmarshal(v, &str) != nil {
			out.Enum = nil
			break
		}
		out.Enum = append(out.Enum, str)
	}
	if !formatSupported(out.Type, out.Format) {
		out.Format = ""
	}
	if s.Items != nil {
		it, err := c.convert(s.Items, depth+1)
		if err != nil {
			return nil, err
		}
		out.Items = it
	}
	for _, p := range s.Properties {
		ps, err := c.convert(p.Schema, depth+1)
		if err != nil {
			return nil, err
		}
		out.Properties = append(out.Properties, property{Name: p.Name, Schema: ps})
	}
	// allOf: the members' properties and requirements are merged in.
	for _, a := range s.AllOf {
		m, err := c.convert(a, depth+1)
		if err != nil {
			return nil, err
		}
		mergeInto(out, m)
	}
	return out, nil
}

// isNull reports a {"type": "null"} member of an anyOf.
func (s *jsonSchema) isNull() bool {
	return len(s.Type) == 1 && s.Type[0] == "null" && s.Ref == "" && len(s.AnyOf) == 0 && len(s.OneOf) == 0
}

// hasDefault reports a default other than null (which Gemini has no use for).
func (s *jsonSchema) hasDefault() bool {
	return len(s.Default) > 0 && string(s.Default) != "null"
}

// mergeInto merges the allOf member m into out.
func mergeInto(out, m *schema) {
	if out.Type == "" || out.Type == "OBJECT" && m.Type != "" && len(out.Properties) == 0 && m.Type != "OBJECT" {
		out.Type = m.Type
	}
	if out.Description == "" {
		out.Description = m.Description
	}
	if out.Format == "" {
		out.Format = m.Format
	}
	if out.Items == nil {
		out.Items = m.Items
	}
	if out.Enum == nil {
		out.Enum = m.Enum
	}
	if m.Nullable {
		out.Nullable = true
	}
	out.Properties = append(out.Properties, m.Properties...)
	out.Required = append(out.Required, m.Required...)
	out.AnyOf = append(out.AnyOf, m.AnyOf...)
}

// formatSupported reports the formats Gemini accepts for a type.
func formatSupported(typ, format string) bool {
	switch format {
	case "":
		return true
	case "enum", "date-time":
		return typ == "STRING"
	case "int32", "int64":
		return typ == "INTEGER"
	case "float", "double":
		return typ == "NUMBER"
	}
	return false
}

// encodedSchema is a schema ready for the wire: Subset in Gemini's form, or
// Raw (the caller's JSON Schema) when the subset cannot express it.
type encodedSchema struct {
	Subset json.RawMessage
	Raw    json.RawMessage
	// EmptyObject reports an object schema without properties, which
	// function declarations leave out.
	EmptyObject bool
}

// schemaCache memoizes encodeSchema by the schema's JSON text: an agent
// sends the same tools on every turn, and conversion is the bulk of
// encoding a request with tools (BenchmarkEncodeRequest). It holds at most
// schemaCacheMax entries; later schemas are converted each time.
var (
	schemaCache    sync.Map // string → *encodedSchema
	schemaCacheLen atomic.Int32
)

const schemaCacheMax = 1024

// encodeSchema converts a JSON Schema to Gemini's subset, or, when the
// schema is recursive (which the subset cannot express), returns it as it
// is for the parametersJsonSchema / responseJsonSchema fields.
func encodeSchema(raw json.RawMessage) (*encodedSchema, error) {
	if v, ok := schemaCache.Load(string(raw)); ok {
		return v.(*encodedSchema), nil
	}
	var out encodedSchema
	s, err := convertSchema(raw)
	switch {
	case errors.Is(err, errRecursive):
		out.Raw = append(json.RawMessage(nil), raw...)
	case err != nil:
		return nil, err
	default:
		if out.Subset, err = json.Marshal(s); err != nil {
			return nil, err
		}
		out.EmptyObject = s.Type == "OBJECT" && len(s.Properties) == 0
	}
	if schemaCacheLen.Load() < schemaCacheMax {
		if _, loaded := schemaCache.LoadOrStore(string(raw), &out); !loaded {
			schemaCacheLen.Add(1)
		}
	}
	return &out, nil
}
