package jsonx

import "unicode/utf8"

const hex = "0123456789abcdef"

// safe reports the ASCII bytes a JSON string holds as they are (encoding/json
// escapes the HTML characters <, > and & too).
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s to dst as a JSON string, escaping as encoding/json
// does (including <, > and & for HTML safety, U+2028 and U+2029, and invalid
// UTF-8 replaced by U+FFFD), so the output is byte-identical to json.Marshal(s).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// PlainString reports whether the raw bytes between a JSON string's quotes
// need no unescaping: no backslash, no control character and valid UTF-8,
// so that they are the string's value as they are.
func PlainString(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' || c < 0x20 || c == '"' {
			return false
		}
		if c >= utf8.RuneSelf {
			return utf8.Valid(b[i:]) && plainTail(b[i:])
		}
	}
	return true
}

func plainTail(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c < 0x20 || c == '"' {
			return false
		}
	}
	return true
}
