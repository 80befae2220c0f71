package router

import "time"

// EventKind is what an Event reports.
type EventKind uint8

// The kinds of event.
const (
	// StateDegraded: the shared State failed (Err says how); the router
	// now keeps its state in memory, local to this instance, and probes
	// the shared State at most once per probe interval.
	StateDegraded EventKind = iota + 1
	// StateRecovered: the shared State answers again and is used again.
	StateRecovered
)

var eventNames = [...]string{StateDegraded: "state degraded", StateRecovered: "state recovered"}

// String returns the kind's name.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "event?"
}

// Event is something the router reports through WithEvents.
type Event struct {
	Kind EventKind
	Time time.Time
	// Err is the error that caused a StateDegraded event.
	Err error
}

// WithEvents sets a function that the router calls on each Event, in the
// goroutine of the call that caused it. It must be fast and must not call
// the router. It is the router's minimal observation surface: today it
// reports the shared State's degradation and recovery.
func WithEvents(f func(Event)) Option { return func(c *config) { c.events = f } }

func (c *config) emit(e Event) {
	if c.events != nil {
		c.events(e)
	}
}
