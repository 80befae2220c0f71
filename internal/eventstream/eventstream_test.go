package eventstream

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/llmux/llm/internal/limit"
)

// The event-stream test vectors AWS publishes with its SDKs
// (smithy-typescript packages/eventstream-codec/test_vectors, also in
// aws-sdk-go's eventstream testdata), base64-encoded.
var vectors = map[string]string{
	"all_headers":            "AAAAzAAAAK8PrmTKCmV2ZW50LXR5cGUEAACgDAxjb250ZW50LXR5cGUHABBhcHBsaWNhdGlvbi9qc29uCmJvb2wgZmFsc2UBCWJvb2wgdHJ1ZQAEYnl0ZQLPCGJ5dGUgYnVmBgAUSSdtIGEgbGl0dGxlIHRlYXBvdCEJdGltZXN0YW1wCAAAAAAAhF/tBWludDE2AwAqBWludDY0BQAAAAACh1eyBHV1aWQJAQIDBAUGBwgJCgsMDQ4PEHsnZm9vJzonYmFyJ32rpfEM",
	"empty_message":          "AAAAEAAAAAAFwkjrfZjI/w==",
	"int32_header":           "AAAALQAAABBBxCS4CmV2ZW50LXR5cGUEAACgDHsnZm9vJzonYmFyJ3029ICg",
	"payload_no_headers":     "AAAAHQAAAAD9Uoxaeydmb28nOidiYXInfcNlOTY=",
	"payload_one_str_header": "AAAAPQAAACAH/YOWDGNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257J2Zvbyc6J2Jhcid9jZwIsQ==",
	"corrupted_header_len":   "AAAAPQAAACEH/YOWDGNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257J2Zvbyc6J2Jhcid9jZwIsQ==",
	"corrupted_headers":      "AAAAPQAAACAH/YOWDGNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257YWZvbyc6J2Jhcid9jZwIsQ==",
	"corrupted_length":       "AAAAPgAAACAH/YOWDGNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257J2Zvbyc6J2Jhcid9jZwIsQ==",
	"corrupted_payload":      "AAAAHQAAAAD9UoxaWydmb28nOidiYXInfcNlOTY=",
}

func vector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(vectors[name])
	require.NoError(t, err)
	return b
}

func decodeOne(t testing.TB, b []byte) (*Message, error) {
	t.Helper()
	return NewDecoder(bytes.NewReader(b)).Next()
}

func TestPublishedVectors(t *testing.T) {
	t.Parallel()
	m, err := decodeOne(t, vector(t, "all_headers"))
	require.NoError(t, err)
	want := []Header{
		{Name: []byte("event-type"), Type: TypeInt32, Int: 40972},
		{Name: []byte("content-type"), Type: TypeString, Bytes: []byte("application/json")},
		{Name: []byte("bool false"), Type: TypeFalse},
		{Name: []byte("bool true"), Type: TypeTrue, Int: 1},
		{Name: []byte("byte"), Type: TypeByte, Int: -49},
		{Name: []byte("byte buf"), Type: TypeBytes, Bytes: []byte("I'm a little teapot!")},
		{Name: []byte("timestamp"), Type: TypeTimestamp, Int: 8675309},
		{Name: []byte("int16"), Type: TypeInt16, Int: 42},
		{Name: []byte("int64"), Type: TypeInt64, Int: 42424242},
		{Name: []byte("uuid"), Type: TypeUUID, Bytes: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
	}
	assert.Equal(t, want, m.Headers)
	assert.Equal(t, "{'foo':'bar'}", string(m.Payload))
	assert.True(t, m.Header("bool true").Bool())
	assert.False(t, m.Header("bool false").Bool())
	assert.Equal(t, "application/json", string(m.Value("content-type")))
	assert.Nil(t, m.Value("event-type"), "Value is for string and bytes headers")
	assert.Nil(t, m.Header("missing"))

	m, err = decodeOne(t, vector(t, "empty_message"))
	require.NoError(t, err)
	assert.Empty(t, m.Headers)
	assert.Empty(t, m.Payload)

	m, err = decodeOne(t, vector(t, "int32_header"))
	require.NoError(t, err)
	assert.Equal(t, int64(40972), m.Header("event-type").Int)

	m, err = decodeOne(t, vector(t, "payload_no_headers"))
	require.NoError(t, err)
	assert.Equal(t, "{'foo':'bar'}", string(m.Payload))

	m, err = decodeOne(t, vector(t, "payload_one_str_header"))
	require.NoError(t, err)
	assert.Equal(t, "application/json", string(m.Value("content-type")))

	for name, wantErr := range map[string]error{
		"corrupted_header_len": ErrPreludeChecksum,
		"corrupted_headers":    ErrMessageChecksum,
		"corrupted_length":     ErrPreludeChecksum,
		"corrupted_payload":    ErrMessageChecksum,
	} {
		_, err := decodeOne(t, vector(t, name))
		var fe *FrameError
		require.ErrorAs(t, err, &fe, name)
		assert.ErrorIs(t, err, wantErr, name)
	}
}

func TestEncoderMatchesVectors(t *testing.T) {
	t.Parallel()
	got, err := AppendMessage(nil, []Header{String("content-type", "application/json")}, []byte("{'foo':'bar'}"))
	require.NoError(t, err)
	assert.Equal(t, vector(t, "payload_one_str_header"), got)

	got, err = AppendMessage(nil, []Header{{Name: []byte("event-type"), Type: TypeInt32, Int: 40972}}, []byte("{'foo':'bar'}"))
	require.NoError(t, err)
	assert.Equal(t, vector(t, "int32_header"), got)

	got, err = AppendMessage(nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, vector(t, "empty_message"), got)

	m, err := decodeOne(t, vector(t, "all_headers"))
	require.NoError(t, err)
	got, err = AppendMessage(nil, m.Headers, m.Payload)
	require.NoError(t, err)
	assert.Equal(t, vector(t, "all_headers"), got, "every header type encodes back byte for byte")
}

func TestEncoderRejects(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]Header{
		"empty name":   {Type: TypeTrue},
		"long name":    {Name: bytes.Repeat([]byte("n"), 256), Type: TypeTrue},
		"long value":   {Name: []byte("n"), Type: TypeString, Bytes: make([]byte, 70000)},
		"short uuid":   {Name: []byte("n"), Type: TypeUUID, Bytes: []byte{1}},
		"unknown type": {Name: []byte("n"), Type: 10},
	} {
		_, err := AppendMessage(nil, []Header{h}, nil)
		assert.Error(t, err, name)
	}
	_, err := AppendMessage(nil, nil, make([]byte, MaxPayloadSize+1))
	assert.Error(t, err)
}

func stream(t testing.TB, n int) []byte {
	t.Helper()
	var b []byte
	var err error
	for i := range n {
		b, err = AppendMessage(b, []Header{
			String(":event-type", "contentBlockDelta"),
			String(":content-type", "application/json"),
			String(":message-type", "event"),
		}, []byte(`{"contentBlockIndex":0,"delta":{"text":"piece `+string(rune('a'+i%26))+`"},"p":"abcdefgh"}`))
		require.NoError(t, err)
	}
	return b
}

func TestStreamAnyChunking(t *testing.T) {
	t.Parallel()
	b := stream(t, 30)
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(b),
		"one byte": iotest.OneByteReader(bytes.NewReader(b)),
		"half":     iotest.HalfReader(bytes.NewReader(b)),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(b)),
	} {
		d := NewDecoder(r)
		n := 0
		for {
			m, err := d.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, name)
			assert.Equal(t, "contentBlockDelta", string(m.Value(":event-type")), name)
			assert.Contains(t, string(m.Payload), "piece "+string(rune('a'+n%26)), name)
			n++
		}
		assert.Equal(t, 30, n, name)
	}
}

func TestLargePayload(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("x"), 3<<20)
	b, err := AppendMessage(nil, []Header{String(":event-type", "chunk")}, payload)
	require.NoError(t, err)
	b, err = AppendMessage(b, nil, []byte("small"))
	require.NoError(t, err)
	d := NewDecoder(bytes.NewReader(b))
	m, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, payload, m.Payload)
	m, err = d.Next()
	require.NoError(t, err)
	assert.Equal(t, "small", string(m.Payload))
}

// TestMaxMessageSize checks the cap on one message: by default a message
// past 8 MiB is a *limit.Error before its payload is read or allocated,
// SetMaxMessageSize lowers or raises the cap, and a zero Decoder uses the
// default.
func TestMaxMessageSize(t *testing.T) {
	t.Parallel()
	big, err := AppendMessage(nil, nil, bytes.Repeat([]byte("x"), limit.DefaultEvent))
	require.NoError(t, err)
	small, err := AppendMessage(nil, nil, bytes.Repeat([]byte("y"), 2000))
	require.NoError(t, err)
	cases := []struct {
		name string
		max  int // 0: the default
		msg  []byte
		want int // the cap in the error, 0 for none
	}{
		{"default refuses 8 MiB + 16", 0, big, limit.DefaultEvent},
		{"raised accepts it", 9 << 20, big, 0},
		{"lowered refuses 2016", 1000, small, 1000},
		{"default accepts 2016", 0, small, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := NewDecoder(bytes.NewReader(c.msg))
			if c.max != 0 {
				d.SetMaxMessageSize(c.max)
			}
			m, err := d.Next()
			if c.want == 0 {
				require.NoError(t, err)
				assert.Len(t, m.Payload, len(c.msg)-16)
				return
			}
			var le *limit.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, c.want, le.Max)
			assert.ErrorIs(t, err, ErrMessageTooLarge)
			assert.LessOrEqual(t, cap(d.buf), max(c.want, 4096), "the buffer grew for a refused message")
		})
	}
	var zero Decoder
	zero.r = bytes.NewReader(big)
	_, err = zero.Next()
	assert.ErrorIs(t, err, ErrMessageTooLarge)
}

// Every single-byte corruption of a message is caught: CRC32 detects every
// burst error of up to 32 bits.
func TestEveryByteFlipDetected(t *testing.T) {
	t.Parallel()
	frame := stream(t, 1)
	for i := range frame {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(frame)
			b[i] ^= mask
			_, err := decodeOne(t, b)
			var fe *FrameError
			require.ErrorAs(t, err, &fe, "byte %d ^ %#x: got %v", i, mask, err)
			assert.Equal(t, int64(0), fe.Offset)
		}
	}
}

func TestEveryTruncationDetected(t *testing.T) {
	t.Parallel()
	two := stream(t, 2)
	one := len(two) / 2
	for n := range len(two) {
		d := NewDecoder(bytes.NewReader(two[:n]))
		var err error
		msgs := 0
		for {
			if _, err = d.Next(); err != nil {
				break
			}
			msgs++
		}
		if n == 0 || n == one {
			assert.Equal(t, io.EOF, err, "cut at %d, between messages", n)
			continue
		}
		require.ErrorIs(t, err, ErrTruncated, "cut at %d", n)
		var fe *FrameError
		require.ErrorAs(t, err, &fe)
		if n > one {
			assert.Equal(t, int64(one), fe.Offset, "the error names the second message's offset")
		}
	}
}

func frameWith(total, headersLen uint32, rest []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, headersLen)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, rest...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestBadLengthsAndHeaders(t *testing.T) {
	t.Parallel()
	hdr := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"total below minimum", frameWith(15, 0, nil)[:16], ErrLength},
		{"headers beyond message", frameWith(16, 1, nil), ErrLength},
		{"headers too large", frameWith(16+MaxHeadersSize+1, MaxHeadersSize+1, nil), ErrLength},
		{"payload too large", frameWith(16+MaxPayloadSize+1, 0, nil), ErrLength},
		{"empty header name", frameWith(16+3, 3, []byte{0, 0, 0}), ErrHeader},
		{"name past end", frameWith(16+2, 2, []byte{5, 'a'}), ErrHeader},
		{"unknown type", frameWith(16+3, 3, []byte{1, 'a', 10}), ErrHeader},
		{"string length past end", frameWith(16+4, 4, hdr([]byte{1, 'a', 7}, []byte{0})), ErrHeader},
		{"string past end", frameWith(16+6, 6, hdr([]byte{1, 'a', 7}, []byte{0, 9}, []byte{'x'})), ErrHeader},
		{"int64 past end", frameWith(16+5, 5, hdr([]byte{1, 'a', 5}, []byte{1, 2})), ErrHeader},
		{"uuid past end", frameWith(16+5, 5, hdr([]byte{1, 'a', 9}, []byte{1, 2})), ErrHeader},
	}
	for _, c := range cases {
		_, err := decodeOne(t, c.frame)
		assert.ErrorIs(t, err, c.want, c.name)
		var fe *FrameError
		if assert.ErrorAs(t, err, &fe, c.name) {
			assert.NotEmpty(t, fe.Error(), c.name)
		}
	}
}

func TestReadErrorPassesThrough(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	_, err := NewDecoder(iotest.ErrReader(boom)).Next()
	assert.Equal(t, boom, err)
	frame := stream(t, 1)
	_, err = NewDecoder(io.MultiReader(bytes.NewReader(frame[:20]), iotest.ErrReader(boom))).Next()
	assert.Equal(t, boom, err)
}

func TestDecodeAllocatesNothingAfterWarmUp(t *testing.T) {
	b := stream(t, 200)
	r := bytes.NewReader(b)
	d := NewDecoder(r)
	_, err := d.Next()
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := d.Next(); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func FuzzDecoder(f *testing.F) {
	for name := range vectors {
		f.Add(vector(f, name))
	}
	f.Add(stream(f, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(bytes.NewReader(b))
		for range 1000 {
			m, err := d.Next()
			if err != nil {
				var fe *FrameError
				if err != io.EOF && !errors.As(err, &fe) {
					t.Fatalf("got %T %v, want io.EOF or a *FrameError", err, err)
				}
				return
			}
			// A message that decodes encodes back to the same bytes.
			enc, err := AppendMessage(nil, m.Headers, m.Payload)
			if err != nil {
				t.Fatalf("re-encoding a decoded message: %v", err)
			}
			if _, err := NewDecoder(bytes.NewReader(enc)).Next(); err != nil {
				t.Fatalf("decoding a re-encoded message: %v", err)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := stream(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		d := NewDecoder(r)
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}

// TestBrokenConnectionIsNotTruncation checks that a read error inside a
// message, io.ErrUnexpectedEOF included (what net/http returns for a body
// cut off mid-transfer), comes back as it is, while a clean end inside a
// message is ErrTruncated.
func TestBrokenConnectionIsNotTruncation(t *testing.T) {
	t.Parallel()
	msg, err := AppendMessage(nil, nil, []byte(`{"a":1}`))
	require.NoError(t, err)
	for _, cut := range []int{5, 20} { // inside the prelude, inside the payload
		d := NewDecoder(io.MultiReader(bytes.NewReader(msg[:cut]), iotest.ErrReader(io.ErrUnexpectedEOF)))
		_, err := d.Next()
		assert.Equal(t, io.ErrUnexpectedEOF, err, "cut at %d", cut)
		d = NewDecoder(bytes.NewReader(msg[:cut]))
		_, err = d.Next()
		assert.ErrorIs(t, err, ErrTruncated, "cut at %d", cut)
	}
}
