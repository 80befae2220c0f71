package cost

import (
	_ "embed"
	"io"
	"sync"
	"sync/atomic"
)

//go:generate go run ./internal/gen -src ../../shared/data/model_prices_and_context_window.json -old ../../shared/data/model_prices_and_context_window.upstream-caddc6dd.json -o table.txt

// embedded is the generated table (see internal/gen).
//
//go:embed table.txt
var embedded string

// embeddedTable parses the embedded table on first use.
var embeddedTable = sync.OnceValue(func() *Table {
	t, err := parseTable(embedded)
	if err != nil {
		// The table is generated and tested; a parse error is a build bug.
		panic(err)
	}
	return t
})

var (
	// current is the default table once Register or LoadJSON changed it;
	// nil means the embedded table.
	current atomic.Pointer[Table]
	// writeMu serialises changes to the default table.
	writeMu sync.Mutex
)

// Default returns the default table: the embedded table, loaded on first
// use, plus what [Register] and [LoadJSON] added. Readers never block:
// changes replace the table as a whole.
func Default() *Table {
	if t := current.Load(); t != nil {
		return t
	}
	return embeddedTable()
}

// Embedded returns the table embedded in the package, without run-time
// changes.
func Embedded() *Table { return embeddedTable() }

// SetDefault makes t the default table; nil restores the embedded table.
func SetDefault(t *Table) {
	writeMu.Lock()
	defer writeMu.Unlock()
	current.Store(t)
}

// Register adds info to the default table under name, or replaces the
// entry that name (a canonical name or an alias, compared without regard
// to case) already resolves to exactly: that entry keeps its name and
// aliases, so every spelling of the model sees the new info. It is safe to
// call concurrently with lookups.
func Register(name string, info ModelInfo) {
	info.Name = name
	writeMu.Lock()
	defer writeMu.Unlock()
	current.Store(Default().With(info))
}

// LoadJSON adds the models of r, a model map in the schema of LiteLLM's
// model_prices_and_context_window.json, to the default table, the way
// [Table.WithJSON] does. On error the default table is unchanged.
func LoadJSON(r io.Reader) error {
	writeMu.Lock()
	defer writeMu.Unlock()
	t, err := Default().WithJSON(r)
	if err != nil {
		return err
	}
	current.Store(t)
	return nil
}

// Lookup returns the default table's entry for model; see [Table.Lookup].
func Lookup(model string) (ModelInfo, bool) { return Default().Lookup(model) }

// Info returns the default table's entry for model, or an error matching
// [ErrUnknownModel]; see [Table.Info].
func Info(model string) (ModelInfo, error) { return Default().Info(model) }

// Compute prices the usage u of a call to model with the default table;
// see [Table.Compute].
func Compute(model string, u Usage) (Cost, error) { return Default().Compute(model, u) }

// Provider returns the provider of model with the default table; see
// [Table.Provider].
func Provider(model string) (string, bool) { return Default().Provider(model) }
