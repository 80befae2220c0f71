package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// correctionsJSON is the list of sourced corrections the generator applies
// to the source map.
//
//go:embed corrections.json
var correctionsJSON []byte

// fixSuffix ends the source ID of an entry the generator corrected, and
// fixID names the corrections in the table's sources.
const (
	fixID     = "fix"
	fixSuffix = "+" + fixID
)

// Correction replaces one known-wrong price of one model of the source map.
type Correction struct {
	// Model is the model's key in the source map, as the map spells it.
	Model string `json:"model"`
	// Field is the price field, as the map names it.
	Field string `json:"field"`
	// Was is the wrong value the map has.
	Was float64 `json:"was"`
	// Value is the right value.
	Value float64 `json:"value"`
	// Source is the URL of the document that gives the right value.
	Source string `json:"source"`
	// Checked is the date (YYYY-MM-DD) the value was checked against
	// Source.
	Checked string `json:"checked"`
	// Why says what was wrong.
	Why string `json:"why"`
}

// Corrections returns the embedded corrections list.
func Corrections() ([]Correction, error) { return parseCorrections(correctionsJSON) }

func parseCorrections(data []byte) ([]Correction, error) {
	var doc struct {
		Note        string       `json:"note"`
		Corrections []Correction `json:"corrections"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("corrections: %w", err)
	}
	seen := map[[2]string]bool{}
	for i, c := range doc.Corrections {
		bad := func(what string) error {
			return fmt.Errorf("corrections: #%d (%s %s): %s", i+1, c.Model, c.Field, what)
		}
		switch {
		case c.Model == "" || c.Field == "":
			return nil, bad("model and field are required")
		case !strings.Contains(c.Field, "cost"):
			return nil, bad("field is not a price")
		case c.Value < 0 || c.Was < 0:
			return nil, bad("negative price")
		case c.Value == c.Was:
			return nil, bad("value equals was")
		case c.Why == "":
			return nil, bad("why is required")
		}
		if u, err := url.Parse(c.Source); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, bad("source must be an https URL")
		}
		if _, err := time.Parse(time.DateOnly, c.Checked); err != nil {
			return nil, bad("checked must be a date, YYYY-MM-DD")
		}
		k := [2]string{strings.ToLower(c.Model), c.Field}
		if seen[k] {
			return nil, bad("duplicate")
		}
		seen[k] = true
	}
	return doc.Corrections, nil
}

// fixState records what the corrections found in the source files.
type fixState struct {
	applied, current bool // was replaced in some file; already right in some file
}

// applyCorrections returns the model map data with fixes applied, and the
// lower-case keys of the models it changed. A model that the map has with
// a value that is neither the correction's Was nor its Value is an error:
// the map changed, and the correction needs a look.
func applyCorrections(data []byte, fixes []Correction, state []fixState) ([]byte, map[string]bool, error) {
	if len(fixes) == 0 {
		return data, nil, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, nil, err
	}
	changed := map[string]bool{}
	for i, c := range fixes {
		raw, ok := top[c.Model]
		if !ok {
			continue
		}
		var entry map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, nil, fmt.Errorf("correction of %s: %w", c.Model, err)
		}
		v, ok := entry[c.Field]
		if !ok {
			return nil, nil, fmt.Errorf("correction of %s %s: the map has no such field", c.Model, c.Field)
		}
		n, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil, nil, fmt.Errorf("correction of %s %s: the map's value %s is not a number", c.Model, c.Field, v)
		}
		switch n {
		case c.Value:
			state[i].current = true
			continue
		case c.Was:
		default:
			return nil, nil, fmt.Errorf("correction of %s %s: the map has %v, neither the wrong %v nor the right %v; check the source again",
				c.Model, c.Field, n, c.Was, c.Value)
		}
		entry[c.Field] = json.RawMessage(strconv.FormatFloat(c.Value, 'g', -1, 64))
		b, err := json.Marshal(entry)
		if err != nil {
			return nil, nil, err
		}
		top[c.Model] = b
		changed[strings.ToLower(c.Model)] = true
		state[i].applied = true
	}
	if len(changed) == 0 {
		return data, changed, nil
	}
	out, err := json.Marshal(top)
	return out, changed, err
}

// checkApplied reports corrections that found nothing to correct.
func checkApplied(fixes []Correction, state []fixState) error {
	var errs []error
	for i, c := range fixes {
		switch {
		case state[i].applied:
		case state[i].current:
			errs = append(errs, fmt.Errorf("correction of %s %s is obsolete: the map has the right value; delete it", c.Model, c.Field))
		default:
			errs = append(errs, fmt.Errorf("correction of %s %s: no source file has the model", c.Model, c.Field))
		}
	}
	return errors.Join(errs...)
}
