// Package redisstate keeps a router's state in Redis, so that several router
// instances (processes, machines) share one view of their deployments:
// in-flight counts, the requests and tokens of each minute, failures,
// cooldowns and latency averages.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	r, err := router.New(deployments, router.WithState(redisstate.New(rdb)))
//
// Every check-and-count is one Lua script, so that two instances never both
// take the last request of an rpm limit. Nothing can stay stuck if an
// instance dies: minute windows expire after two minutes, in-flight entries
// after their lease (router.WithLease), cooldowns at their deadline and
// latency averages after an hour without calls.
//
// Keys are "<prefix>{<deployment id>}:<what>" (a hash tag per deployment, so
// that each script touches one Redis Cluster slot). Windows are computed
// from the routers' clocks, which should be synchronised (NTP).
//
// When Redis cannot be reached, the router falls back to local in-memory
// state at once, reports router.StateDegraded through router.WithEvents,
// lets one call per second probe Redis (router.WithStateProbe) and goes back
// to it, reporting router.StateRecovered, when it answers. Build the client
// with ClientOptions, or with the same short timeouts and no retries.
//
// A routing decision costs two round trips (statistics of the candidates in
// one pipeline, then the acquiring script) and a finished call one more.
package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmux/llm/router"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
)

// DefaultPrefix is the key prefix of New.
const DefaultPrefix = "llmux:router:"

// State is a router.State in Redis.
type State struct {
	rdb    redis.UniversalClient
	prefix string
	// instance makes the in-flight tokens of this State unique across
	// instances; seq counts them.
	instance string
	seq      atomic.Uint64
}

// Option configures a State.
type Option func(*State)

// WithPrefix sets the prefix of every key (default DefaultPrefix). Routers
// sharing state must use the same prefix; unrelated routers on one Redis use
// different ones.
func WithPrefix(p string) Option { return func(s *State) { s.prefix = p } }

// ClientOptions returns go-redis options for a State's client at addr,
// tuned so that an unreachable Redis costs a call little: dial, read and
// write timeouts of 200 ms, no command retries and one dial retry after
// 10 ms inside go-redis (the router falls back to local state on the first
// failure and probes for Redis's return on its own), and context deadlines
// honoured. A client you build yourself should set the same (MaxRetries:
// -1, DialerRetries: 1, short timeouts, ContextTimeoutEnabled): with
// go-redis's defaults (3 command retries with backoff, 5 dial attempts
// 100 ms apart, 5 s dial timeout) the calls in flight when Redis fails each
// wait seconds before the router notices.
//
//	rdb := redis.NewClient(redisstate.ClientOptions("localhost:6379"))
func ClientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                  addr,
		DialTimeout:           200 * time.Millisecond,
		ReadTimeout:           200 * time.Millisecond,
		WriteTimeout:          200 * time.Millisecond,
		MaxRetries:            -1,
		DialerRetries:         1,
		DialerRetryTimeout:    10 * time.Millisecond,
		ContextTimeoutEnabled: true,
	}
}

var quiet sync.Once

// New returns a State kept in rdb.
//
// go-redis logs some connection failures to stderr through a process-wide
// logger; library code must not print on its own, so New silences that
// logger (redis.SetLogger with a no-op logger) the first time it is called.
// A program that wants go-redis's logs calls redis.SetLogger after New.
// Failures of Redis reach the router instead, which reports them through
// router.WithEvents.
func New(rdb redis.UniversalClient, opts ...Option) *State {
	quiet.Do(func() { redis.SetLogger(&logging.VoidLogger{}) })
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := &State{rdb: rdb, prefix: DefaultPrefix, instance: hex.EncodeToString(b[:]) + ":"}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ router.State = (*State)(nil)

const (
	windowTTL  = 120 // seconds a minute window lives
	latencyTTL = 3600
)

func (s *State) key(id, what string) string { return s.prefix + "{" + id + "}:" + what }

func (s *State) window(id string, minute int64) string {
	return s.key(id, "w:"+strconv.FormatInt(minute, 10))
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// statsScript reads one deployment's statistics. KEYS: cooldown, in-flight,
// window, latency, half-open. ARGV: now (ms).
var statsScript = redis.NewScript(`
local cd = redis.call('GET', KEYS[1]) or '0'
local inflight = redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf')
local w = redis.call('HMGET', KEYS[3], 'rpm', 'tpm', 'fails', 'ok')
local lat = redis.call('GET', KEYS[4]) or '0'
return {cd, inflight, w[1] or '0', w[2] or '0', w[3] or '0', lat, redis.call('EXISTS', KEYS[5]), w[4] or '0'}
`)

func (s *State) statsKeys(id string, minute int64) []string {
	return []string{s.key(id, "cd"), s.key(id, "if"), s.window(id, minute), s.key(id, "lat"), s.key(id, "ho")}
}

// Stats implements router.State in one pipelined round trip.
func (s *State) Stats(ctx context.Context, ids []string, now time.Time, out []router.Stats) error {
	minute := router.MinuteOf(now)
	nowArg := strconv.FormatInt(ms(now), 10)
	cmds := make([]*redis.Cmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = statsScript.EvalSha(ctx, p, s.statsKeys(id, minute), nowArg)
		}
		return nil
	})
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		for i, id := range ids {
			cmds[i] = statsScript.Run(ctx, s.rdb, s.statsKeys(id, minute), nowArg)
		}
		err = nil
	}
	if err != nil {
		return err
	}
	for i, c := range cmds {
		v, err := c.Int64Slice()
		if err != nil {
			return err
		}
		out[i] = router.Stats{InFlight: int(v[1]), RPM: int(v[2]), TPM: int(v[3]), Successes: int(v[7]), Fails: int(v[4]), Latency: time.Duration(v[5]), HalfOpen: v[6] == 1}
		if v[0] > 0 {
			out[i].CooldownUntil = time.UnixMilli(v[0])
		}
	}
	return nil
}

// acquireScript checks and counts atomically. KEYS: cooldown, in-flight,
// window, half-open, probe. ARGV: now (ms), rpm, tpm, max parallel, tokens,
// token, lease expiry (ms), next minute (ms), lease (ms), window ttl (s). It
// returns {verdict, retry at (ms), probe (0/1)}. A half-open deployment
// (its cooldown ended) grants one probe, held in the probe key with the
// lease as TTL; while it is held, Acquire answers cooling down.
var acquireScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local cd = tonumber(redis.call('GET', KEYS[1]) or '0')
if cd > now then return {1, cd, 0} end
local probe = 0
if redis.call('EXISTS', KEYS[4]) == 1 then
  if redis.call('EXISTS', KEYS[5]) == 1 then return {1, 0, 0} end
  probe = 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local par = tonumber(ARGV[4])
if par > 0 and redis.call('ZCARD', KEYS[2]) >= par then return {2, 0, 0} end
local rpm = tonumber(redis.call('HGET', KEYS[3], 'rpm') or '0')
local rl = tonumber(ARGV[2])
if rl > 0 and rpm >= rl then return {3, tonumber(ARGV[8]), 0} end
local tpm = tonumber(redis.call('HGET', KEYS[3], 'tpm') or '0')
local tl = tonumber(ARGV[3])
local tok = tonumber(ARGV[5])
if tl > 0 and tpm > 0 and tpm + tok > tl then return {4, tonumber(ARGV[8]), 0} end
redis.call('HINCRBY', KEYS[3], 'rpm', 1)
redis.call('HINCRBY', KEYS[3], 'tpm', tok)
redis.call('EXPIRE', KEYS[3], ARGV[10])
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[6])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[9]) then redis.call('PEXPIRE', KEYS[2], ARGV[9]) end
if probe == 1 then redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[9]) end
return {0, 0, probe}
`)

// Acquire implements router.State in one round trip.
func (s *State) Acquire(ctx context.Context, a router.Acquire) (router.Grant, error) {
	minute := router.MinuteOf(a.Now)
	lease := a.Lease
	if lease <= 0 {
		lease = router.DefaultLease
	}
	token := s.instance + strconv.FormatUint(s.seq.Add(1), 36)
	now := ms(a.Now)
	v, err := acquireScript.Run(ctx, s.rdb,
		[]string{s.key(a.Deployment, "cd"), s.key(a.Deployment, "if"), s.window(a.Deployment, minute), s.key(a.Deployment, "ho"), s.key(a.Deployment, "pr")},
		now, a.Limits.RPM, a.Limits.TPM, a.Limits.MaxParallel, a.Tokens, token, now+lease.Milliseconds(),
		(minute+1)*60000, lease.Milliseconds(), windowTTL).Int64Slice()
	if err != nil {
		return router.Grant{}, err
	}
	g := router.Grant{Verdict: router.Verdict(v[0]), Minute: minute}
	if g.Verdict == router.Granted {
		g.Token = token
		g.Probe = v[2] == 1
	} else if v[1] > 0 {
		g.RetryAt = time.UnixMilli(v[1])
	}
	return g, nil
}

// releaseScript ends a request. KEYS: in-flight, window of the acquire,
// window of now, latency, half-open, probe. ARGV: token, token delta,
// outcome (0 success, 1 failure, 2 neutral), latency (ns), alpha, window ttl
// (s), latency ttl (s), probe outcome (0 not a probe, 1 success, 2 neutral,
// 3 failure). It returns the failures and successes of the current window.
var releaseScript = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[8] ~= '0' and ARGV[8] ~= '3' and redis.call('GET', KEYS[6]) == ARGV[1] then
  redis.call('DEL', KEYS[6])
  if ARGV[8] == '1' then redis.call('DEL', KEYS[5]) end
end
local d = tonumber(ARGV[2])
if d ~= 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('HINCRBY', KEYS[2], 'tpm', d) < 0 then redis.call('HSET', KEYS[2], 'tpm', 0) end
end
if ARGV[3] == '1' then
  redis.call('HINCRBY', KEYS[3], 'fails', 1)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
elseif ARGV[3] == '0' then
  redis.call('HINCRBY', KEYS[3], 'ok', 1)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
  local lat = tonumber(ARGV[4])
  if lat > 0 then
    local old = tonumber(redis.call('GET', KEYS[4]) or '0')
    local new = lat
    if old > 0 then new = tonumber(ARGV[5]) * lat + (1 - tonumber(ARGV[5])) * old end
    redis.call('SET', KEYS[4], string.format('%.0f', new), 'EX', ARGV[7])
  end
end
local w = redis.call('HMGET', KEYS[3], 'fails', 'ok')
return {tonumber(w[1] or '0'), tonumber(w[2] or '0')}
`)

// Release implements router.State in one round trip.
func (s *State) Release(ctx context.Context, r router.Release) (router.Outcomes, error) {
	outcome := 0
	switch {
	case r.Failed:
		outcome = 1
	case r.Neutral:
		outcome = 2
	}
	probe := 0
	switch {
	case !r.Probe:
	case r.Failed:
		probe = 3
	case r.Neutral:
		probe = 2
	default:
		probe = 1
	}
	id := r.Deployment
	v, err := releaseScript.Run(ctx, s.rdb,
		[]string{s.key(id, "if"), s.window(id, r.Minute), s.window(id, router.MinuteOf(r.Now)), s.key(id, "lat"), s.key(id, "ho"), s.key(id, "pr")},
		r.Token, r.TokenDelta, outcome, int64(r.Latency), router.LatencyAlpha, windowTTL, latencyTTL, probe).Int64Slice()
	if err != nil {
		return router.Outcomes{}, err
	}
	return router.Outcomes{Failures: int(v[0]), Successes: int(v[1])}, nil
}

// cooldownScript sets a cooldown deadline unless a later one is set, and
// leaves the deployment half-open after it (the half-open key lives until
// two minutes after the deadline: a deployment nobody called in that
// time is simply available again), clearing a probe in flight. KEYS: cooldown,
// half-open, probe. ARGV: until (ms), now (ms), half-open ttl after the
// deadline (ms).
var cooldownScript = redis.NewScript(`
local u = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if u <= now then return 0 end
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if u > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', u - now) else u = cur end
redis.call('SET', KEYS[2], '1', 'PX', u - now + tonumber(ARGV[3]))
redis.call('DEL', KEYS[3])
return 0
`)

const halfOpenTTL = 2 * time.Minute

// Cooldown implements router.State.
func (s *State) Cooldown(ctx context.Context, id string, now, until time.Time) error {
	return cooldownScript.Run(ctx, s.rdb, []string{s.key(id, "cd"), s.key(id, "ho"), s.key(id, "pr")}, ms(until), ms(now), halfOpenTTL.Milliseconds()).Err()
}
