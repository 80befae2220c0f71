package redisstate_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/llmux/llm/router/redisstate"
	"github.com/llmux/llm/router/statetest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests run against a real Redis:
//
//   - LLMUX_REDIS_ADDR=host:port uses that server (CI starts one);
//   - otherwise a redis-server found on PATH is started on a free port for
//     the run and stopped after it;
//   - otherwise the tests FAIL, unless LLMUX_SKIP_REDIS=1 says to skip them.
//
// Each test uses a key prefix of its own, so tests run in parallel on one
// server and leave nothing behind that a later run could see.
var (
	redisAddr string
	skipWhy   string
)

func TestMain(m *testing.M) {
	stop, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "redisstate tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func setup() (stop func(), err error) {
	if addr := os.Getenv("LLMUX_REDIS_ADDR"); addr != "" {
		redisAddr = addr
		return func() {}, ping(addr, 5*time.Second)
	}
	bin, lookErr := exec.LookPath("redis-server")
	if lookErr != nil {
		if os.Getenv("LLMUX_SKIP_REDIS") == "1" {
			skipWhy = "LLMUX_SKIP_REDIS=1 and no Redis: skipping the Redis tests"
			return func() {}, nil
		}
		return nil, fmt.Errorf("no Redis to test against: set LLMUX_REDIS_ADDR=host:port, or put redis-server on PATH " +
			"(apt-get install -y redis-server), or set LLMUX_SKIP_REDIS=1 to skip these tests explicitly")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	redisAddr = "127.0.0.1:" + strconv.Itoa(port)
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	if err := ping(redisAddr, 10*time.Second); err != nil {
		stop()
		return nil, fmt.Errorf("redis-server started on %s does not answer: %w", redisAddr, err)
	}
	return stop, nil
}

func ping(addr string, within time.Duration) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client returns a client of the test server, closed after the test.
func client(t *testing.T) *redis.Client {
	t.Helper()
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, PoolSize: 64})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// prefix returns a key prefix unique to this test run.
func prefix(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "llmuxtest:" + hex.EncodeToString(b[:]) + ":"
}

func TestConformance(t *testing.T) {
	t.Parallel()
	rdb := client(t)
	statetest.Run(t, func(t *testing.T) router.State { return redisstate.New(rdb, redisstate.WithPrefix(prefix(t))) })
}

// The high-traffic cooldown scenarios of issue 20, on Redis. The counts
// are exact only if Redis answers every call (a failure would switch the
// router to local state), so the client waits long on a loaded machine.
func TestCooldownScenarios(t *testing.T) {
	t.Parallel()
	rdb := client(t)
	rdb.Options().ReadTimeout, rdb.Options().WriteTimeout = time.Minute, time.Minute
	statetest.Cooldowns(t, func(t *testing.T) router.State { return redisstate.New(rdb, redisstate.WithPrefix(prefix(t))) })
}

// Two instances, each with its own client and State, sharing one Redis.

func TestSharedBetweenInstances(t *testing.T) {
	t.Parallel()
	p := prefix(t)
	a := redisstate.New(client(t), redisstate.WithPrefix(p))
	b := redisstate.New(client(t), redisstate.WithPrefix(p))
	statetest.Shared(t, a, b)
}

// The load of the issue on Redis: 1,000 goroutines × 20 calls over five
// deployments, then 1,000 calls racing for five rpm-limited ones.
func TestLoad(t *testing.T) {
	t.Parallel()
	statetest.Load(t, redisstate.New(client(t), redisstate.WithPrefix(prefix(t))), 1000, 20, 100)
}

// A crashed instance's in-flight requests expire with their lease; windows
// and cooldowns carry TTLs.
func TestNothingStaysStuck(t *testing.T) {
	t.Parallel()
	rdb := client(t)
	p := prefix(t)
	s := redisstate.New(rdb, redisstate.WithPrefix(p))
	ctx := t.Context()
	now := time.Now()
	g, err := s.Acquire(ctx, router.Acquire{Deployment: "d", Limits: router.Limits{MaxParallel: 1}, Tokens: 1, Now: now, Lease: time.Second})
	require.NoError(t, err)
	require.Equal(t, router.Granted, g.Verdict)
	// Never released: the instance "crashed". Within the lease the slot is
	// taken; after it, free.
	g2, err := s.Acquire(ctx, router.Acquire{Deployment: "d", Limits: router.Limits{MaxParallel: 1}, Tokens: 1, Now: now.Add(500 * time.Millisecond), Lease: time.Second})
	require.NoError(t, err)
	assert.Equal(t, router.AtParallel, g2.Verdict)
	g3, err := s.Acquire(ctx, router.Acquire{Deployment: "d", Limits: router.Limits{MaxParallel: 1}, Tokens: 1, Now: now.Add(1500 * time.Millisecond), Lease: time.Second})
	require.NoError(t, err)
	assert.Equal(t, router.Granted, g3.Verdict, "the crashed instance's lease expired")

	require.NoError(t, s.Cooldown(ctx, "d", now, now.Add(30*time.Second)))
	keys, err := rdb.Keys(ctx, p+"*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		ttl, err := rdb.PTTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Positive(t, ttl, "key %s has no TTL", k)
		// Windows live 2 minutes; the half-open mark 2 minutes past
		// the 30 s cooldown.
		assert.LessOrEqual(t, ttl, 2*time.Minute+30*time.Second, "key %s", k)
	}
}

// BenchmarkRoutedCall measures a routed mock call with its state in Redis
// (one round trip to decide with the default strategy, one to release).
func BenchmarkRoutedCall(b *testing.B) {
	if skipWhy != "" {
		b.Skip(skipWhy)
	}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	var deps []router.Deployment
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		deps = append(deps, router.Deployment{ID: id, Group: "g", Model: "mock/" + id, RPM: 1 << 30,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "hi"})}})
	}
	for _, s := range []struct {
		name  string
		state router.State
	}{{"Memory", router.NewMemory()}, {"Redis", redisstate.New(rdb, redisstate.WithPrefix("llmuxbench:"+strconv.Itoa(os.Getpid())+":"))}} {
		b.Run(s.name, func(b *testing.B) {
			r, err := router.New(deps, router.WithState(s.state))
			require.NoError(b, err)
			req := llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hello")}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Completion(b.Context(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Strategies that read statistics go through the pipelined read.
func TestStatsStrategiesOnRedis(t *testing.T) {
	t.Parallel()
	s := redisstate.New(client(t), redisstate.WithPrefix(prefix(t)))
	var deps []router.Deployment
	for _, id := range []string{"a", "b", "c"} {
		deps = append(deps, router.Deployment{ID: id, Group: "g", Model: "mock/" + id, RPM: 1000,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "hi"})}})
	}
	t0 := time.Now().Truncate(time.Minute)
	clock := router.WithClock(func() time.Time { return t0 })
	for _, st := range []router.Strategy{router.LeastBusy(), router.UsageBased(), router.LatencyBased(0.1)} {
		r, err := router.New(deps, router.WithState(s), router.WithStrategy(st), clock)
		require.NoError(t, err)
		for range 30 {
			_, err := r.Completion(t.Context(), llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hi")}})
			require.NoError(t, err)
		}
	}
	r, err := router.New(deps, router.WithState(s), clock)
	require.NoError(t, err)
	h, err := r.Health(t.Context(), "g")
	require.NoError(t, err)
	total := 0
	for _, x := range h {
		assert.Zero(t, x.InFlight)
		assert.Positive(t, x.Latency, x.ID)
		total += x.RPM
	}
	assert.Equal(t, 90, total)
}
