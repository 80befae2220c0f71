package eventstream

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// String returns a string header, for AppendMessage.
func String(name, value string) Header {
	return Header{Name: []byte(name), Type: TypeString, Bytes: []byte(value)}
}

// AppendMessage appends the encoding of one message to dst. It is the
// inverse of Decoder.Next, used to build test fixtures. It fails when a name
// or value is too long for the format.
func AppendMessage(dst []byte, headers []Header, payload []byte) ([]byte, error) {
	var hb []byte
	for _, h := range headers {
		if len(h.Name) == 0 || len(h.Name) > 255 {
			return dst, errors.New("eventstream: header name must be 1 to 255 bytes")
		}
		hb = append(hb, byte(len(h.Name)))
		hb = append(hb, h.Name...)
		hb = append(hb, byte(h.Type))
		switch h.Type {
		case TypeTrue, TypeFalse:
		case TypeByte:
			hb = append(hb, byte(int8(h.Int)))
		case TypeInt16:
			hb = binary.BigEndian.AppendUint16(hb, uint16(h.Int))
		case TypeInt32:
			hb = binary.BigEndian.AppendUint32(hb, uint32(h.Int))
		case TypeInt64, TypeTimestamp:
			hb = binary.BigEndian.AppendUint64(hb, uint64(h.Int))
		case TypeBytes, TypeString:
			if len(h.Bytes) > 0xffff {
				return dst, errors.New("eventstream: header value longer than 65535 bytes")
			}
			hb = binary.BigEndian.AppendUint16(hb, uint16(len(h.Bytes)))
			hb = append(hb, h.Bytes...)
		case TypeUUID:
			if len(h.Bytes) != 16 {
				return dst, errors.New("eventstream: a UUID header value is 16 bytes")
			}
			hb = append(hb, h.Bytes...)
		default:
			return dst, errors.New("eventstream: unknown header type")
		}
	}
	if len(hb) > MaxHeadersSize || len(payload) > MaxPayloadSize {
		return dst, errors.New("eventstream: message too large")
	}
	total := minMessageSize + len(hb) + len(payload)
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(hb)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	dst = append(dst, hb...)
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:])), nil
}
