package router

import (
	"context"
	"sync"
	"time"
)

// This file is the whole surface a State implementation needs: State, the
// request and answer types of its methods (Acquire, Grant, Release,
// Outcomes, Stats, Limits, Verdict), MinuteOf for the windows, LatencyAlpha
// for the moving average and DefaultLease. Package router/statetest is the
// conformance suite: Run checks the contract, Load, Shared and Cooldowns
// run the router's load, two-instance and cooldown scenarios on a State.

// State holds what the router knows about its deployments between calls:
// in-flight counts, the requests and tokens of the current minute, failures
// of the current minute, cooldown deadlines and latency averages. NewMemory
// keeps it in the process; package router/redisstate shares it between
// router instances through Redis.
//
// Windows are fixed calendar minutes (Unix time / 60s), as in LiteLLM, so that
// instances sharing a State agree on them as long as their clocks agree.
// Every method takes the current time from the router, never from its own
// clock. Implementations must be safe for concurrent use, and Acquire must be
// atomic: two concurrent Acquires never both take the last slot of a limit.
type State interface {
	// Stats writes into out[i] the statistics of deployment ids[i] at now.
	// len(out) is at least len(ids).
	Stats(ctx context.Context, ids []string, now time.Time, out []Stats) error
	// Acquire checks the deployment's cooldown and limits and, when none
	// stops it, counts one request in flight, one request and a.Tokens
	// tokens in the current minute, all at once.
	Acquire(ctx context.Context, a Acquire) (Grant, error)
	// Release ends a request that Acquire granted: it removes it from the
	// in-flight count, corrects the minute's tokens by r.TokenDelta, and
	// counts the outcome in the current minute: a failure when r.Failed,
	// nothing when r.Neutral, else a success (whose r.Latency is folded
	// into the average). It returns the deployment's outcomes in the
	// current minute, this one included, from which the CooldownPolicy
	// computes the failure rate.
	Release(ctx context.Context, r Release) (Outcomes, error)
	// Cooldown keeps deployment id from being picked until until (now is
	// the router's clock, for the TTL of shared states). An earlier
	// deadline never shortens a later one already set.
	//
	// A cooldown leaves the deployment half-open when it ends: the first
	// Acquire after it is granted as a probe (Grant.Probe), and until that
	// probe is released every other Acquire gets CoolingDown (with a zero
	// RetryAt). Releasing the probe after a success closes the half-open
	// state; after a Neutral outcome the next Acquire probes again; after
	// a failure the probe stays in flight until the next Cooldown (which
	// the router sets at once). A probe never released stops blocking
	// after its Acquire.Lease. Cooldown clears a probe in flight.
	Cooldown(ctx context.Context, id string, now, until time.Time) error
}

// Stats are the statistics of one deployment at a moment.
type Stats struct {
	// InFlight is the number of requests being served.
	InFlight int
	// RPM and TPM are the requests and tokens counted in the current
	// minute.
	RPM, TPM int
	// Successes and Fails are the requests of the current minute that
	// succeeded and failed (the caller's errors count as neither).
	Successes, Fails int
	// CooldownUntil is when the deployment's cooldown ends; zero or past
	// when it is not cooling down.
	CooldownUntil time.Time
	// Latency is the moving average of successful calls' latency (time to
	// first token for streams); zero before the first one.
	Latency time.Duration
	// HalfOpen reports that a cooldown has ended and the deployment awaits
	// (or is serving) the probe whose success makes it fully available.
	HalfOpen bool
}

// Outcomes are a deployment's finished requests in the current minute, as
// State.Release returns them: the failure rate is Failures / (Successes +
// Failures).
type Outcomes struct {
	Successes, Failures int
}

// Total returns Successes + Failures.
func (o Outcomes) Total() int { return o.Successes + o.Failures }

// Limits are a deployment's limits as Acquire checks them; zero means no
// limit.
type Limits struct {
	RPM, TPM, MaxParallel int
}

// Acquire asks State.Acquire for a slot on a deployment.
type Acquire struct {
	Deployment string
	Limits     Limits
	// Tokens is the estimate of the tokens the request will use.
	Tokens int
	Now    time.Time
	// Lease bounds how long the request counts as in flight if it is never
	// released (the instance crashed): shared states expire it then.
	Lease time.Duration
}

// Verdict is the answer of State.Acquire.
type Verdict uint8

// The verdicts.
const (
	Granted     Verdict = iota // the request may go
	CoolingDown                // the deployment is cooling down
	AtParallel                 // MaxParallel requests are in flight
	AtRPM                      // the minute's requests reached RPM
	AtTPM                      // the minute's tokens would exceed TPM
)

var verdictNames = [...]string{"granted", "cooling down", "at max parallel requests", "at rpm limit", "at tpm limit"}

// String returns the verdict's name.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict?"
}

// Grant is the answer of State.Acquire.
type Grant struct {
	Verdict Verdict
	// RetryAt is, when the verdict is not Granted, the earliest time it may
	// change: the cooldown's end or the next minute (zero for AtParallel).
	RetryAt time.Time
	// Token identifies the granted request to Release (shared states use
	// it to remove the in-flight entry).
	Token string
	// Minute is the window the request was counted in.
	Minute int64
	// Probe is set when the request is the probe of a half-open
	// deployment (see State.Cooldown); it must be released with
	// Release.Probe.
	Probe bool
}

// Release ends a granted request.
type Release struct {
	Deployment string
	Token      string
	Minute     int64
	// TokenDelta corrects the minute's tokens: actual minus estimate.
	TokenDelta int
	// Latency is folded into the moving average when the call succeeded
	// (Failed false) and Latency > 0.
	Latency time.Duration
	// Failed counts a failure of the deployment. Neutral marks an error
	// that says nothing about the deployment (the caller's error or
	// cancellation); a release with neither is a success.
	Failed, Neutral bool
	// Probe is Grant.Probe: the outcome decides the half-open state.
	Probe bool
	Now   time.Time
}

// LatencyAlpha is the weight of a new sample in the latency moving average
// (an exponentially weighted moving average).
const LatencyAlpha = 0.3

// minuteOf returns the fixed window of t.
func minuteOf(t time.Time) int64 { return t.Unix() / 60 }

// MinuteOf returns the one-minute window that t falls in, as State
// implementations count it (Unix seconds / 60).
func MinuteOf(t time.Time) int64 { return minuteOf(t) }

// NewMemory returns a State kept in this process's memory. It is fast (no
// allocation per call once a deployment is known) and safe for concurrent
// use.
func NewMemory() State { return newMemory() }

func newMemory() *memory { return &memory{m: map[string]*memEntry{}} }

type memory struct {
	mu sync.RWMutex
	m  map[string]*memEntry
}

type memEntry struct {
	mu       sync.Mutex
	inFlight int
	minute   int64 // window of rpm, tpm and fails
	rpm, tpm int
	ok       int // successes
	fails    int
	cooldown time.Time
	latency  time.Duration
	halfOpen bool      // a cooldown ended; the next grant is a probe
	probe    time.Time // a probe is in flight until then
}

func (s *memory) entry(id string) *memEntry {
	s.mu.RLock()
	e := s.m[id]
	s.mu.RUnlock()
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e = s.m[id]; e == nil {
		e = &memEntry{}
		s.m[id] = e
	}
	return e
}

// roll starts a new window if now is past the stored one.
func (e *memEntry) roll(minute int64) {
	if minute != e.minute {
		e.minute, e.rpm, e.tpm, e.ok, e.fails = minute, 0, 0, 0, 0
	}
}

func (s *memory) Stats(_ context.Context, ids []string, now time.Time, out []Stats) error {
	m := minuteOf(now)
	for i, id := range ids {
		e := s.entry(id)
		e.mu.Lock()
		e.roll(m)
		out[i] = Stats{InFlight: e.inFlight, RPM: e.rpm, TPM: e.tpm, Successes: e.ok, Fails: e.fails, CooldownUntil: e.cooldown, Latency: e.latency, HalfOpen: e.halfOpen}
		e.mu.Unlock()
	}
	return nil
}

func (s *memory) Acquire(_ context.Context, a Acquire) (Grant, error) {
	e := s.entry(a.Deployment)
	m := minuteOf(a.Now)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roll(m)
	if v, at := check(&a, m, e.cooldown, e.inFlight, e.rpm, e.tpm); v != Granted {
		return Grant{Verdict: v, RetryAt: at}, nil
	}
	probe := false
	if e.halfOpen {
		if e.probe.After(a.Now) {
			return Grant{Verdict: CoolingDown}, nil
		}
		probe = true
		e.probe = a.Now.Add(leaseOf(a.Lease))
	}
	e.inFlight++
	e.rpm++
	e.tpm += a.Tokens
	return Grant{Minute: m, Probe: probe}, nil
}

func leaseOf(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultLease
	}
	return d
}

// check applies the limits of a to a deployment's counts; shared by the
// memory state and mirrored by the Redis script.
func check(a *Acquire, minute int64, cooldown time.Time, inFlight, rpm, tpm int) (Verdict, time.Time) {
	l := a.Limits
	switch {
	case cooldown.After(a.Now):
		return CoolingDown, cooldown
	case l.MaxParallel > 0 && inFlight >= l.MaxParallel:
		return AtParallel, time.Time{}
	case l.RPM > 0 && rpm >= l.RPM:
		return AtRPM, time.Unix((minute+1)*60, 0)
	case l.TPM > 0 && tpm > 0 && tpm+a.Tokens > l.TPM:
		// A request larger than the whole limit may still go alone in
		// an empty minute, or it could never go.
		return AtTPM, time.Unix((minute+1)*60, 0)
	}
	return Granted, time.Time{}
}

func (s *memory) Release(_ context.Context, r Release) (Outcomes, error) {
	e := s.entry(r.Deployment)
	m := minuteOf(r.Now)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inFlight > 0 {
		e.inFlight--
	}
	if r.Minute == e.minute {
		e.tpm = max(e.tpm+r.TokenDelta, 0)
	}
	e.roll(m)
	switch {
	case r.Failed:
		e.fails++
	case r.Neutral:
	default:
		e.ok++
		if r.Latency > 0 {
			e.latency = ewma(e.latency, r.Latency)
		}
	}
	if r.Probe {
		switch {
		case r.Failed: // in flight until the next Cooldown
		case r.Neutral:
			e.probe = time.Time{}
		default:
			e.halfOpen, e.probe = false, time.Time{}
		}
	}
	return Outcomes{Successes: e.ok, Failures: e.fails}, nil
}

func ewma(avg, sample time.Duration) time.Duration {
	if avg == 0 {
		return sample
	}
	return time.Duration(LatencyAlpha*float64(sample) + (1-LatencyAlpha)*float64(avg))
}

func (s *memory) Cooldown(_ context.Context, id string, now, until time.Time) error {
	if !until.After(now) {
		return nil
	}
	e := s.entry(id)
	e.mu.Lock()
	if until.After(e.cooldown) {
		e.cooldown = until
	}
	e.halfOpen, e.probe = true, time.Time{}
	e.mu.Unlock()
	return nil
}
