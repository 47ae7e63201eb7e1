package logs

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"

	"github.com/quayside/quayside/engine"
)

// segmentHeader starts every segment file and names the record format.
const segmentHeader = "QSLOGv1\n"

// recordHeaderLen is the length and checksum before each payload.
const recordHeaderLen = 8

// maxPayload bounds a record's payload; a longer length means damage.
const maxPayload = 64 << 10

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errBadRecord reports a torn or damaged record.
var errBadRecord = errors.New("damaged log record")

// appendRecord appends the record of l to buf.
func appendRecord(buf []byte, l *engine.LogLine) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, recordHeaderLen)...)
	buf = binary.AppendUvarint(buf, l.Seq)
	buf = binary.AppendVarint(buf, l.Time.UnixNano())
	buf = binary.AppendVarint(buf, int64(l.Release))
	buf = binary.AppendVarint(buf, int64(l.Replica))
	buf = appendString(buf, l.Process)
	buf = appendString(buf, l.Stream)
	buf = appendString(buf, l.Text)
	payload := buf[start+recordHeaderLen:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, crcTable))
	return buf
}

// appendString appends s with its length.
func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// nextRecord returns the payload of the record at the start of b and the
// record's total length, or errBadRecord if it is torn or damaged.
func nextRecord(b []byte) (payload []byte, n int, err error) {
	if len(b) < recordHeaderLen {
		return nil, 0, errBadRecord
	}
	size := binary.LittleEndian.Uint32(b)
	if size == 0 || size > maxPayload || int(size) > len(b)-recordHeaderLen {
		return nil, 0, errBadRecord
	}
	payload = b[recordHeaderLen : recordHeaderLen+int(size)]
	if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, 0, errBadRecord
	}
	return payload, recordHeaderLen + int(size), nil
}

// recordKey is what a reader filters on, decoded without allocating.
type recordKey struct {
	seq     uint64
	time    int64
	process []byte // aliases the payload
}

// decodeKey decodes the leading fields of a payload.
func decodeKey(p []byte) (k recordKey, err error) {
	d := decoder{b: p}
	k.seq = d.uvarint()
	k.time = d.varint()
	d.varint() // release
	d.varint() // replica
	k.process = d.bytes()
	return k, d.err
}

// decodeLine decodes a whole payload into a line of app.
func decodeLine(app string, p []byte) (engine.LogLine, error) {
	d := decoder{b: p}
	l := engine.LogLine{App: app, Seq: d.uvarint()}
	l.Time = time.Unix(0, d.varint()).UTC()
	l.Release = int(d.varint())
	l.Replica = int(d.varint())
	l.Process = string(d.bytes())
	l.Stream = string(d.bytes())
	l.Text = string(d.bytes())
	if d.err == nil && len(d.b) != 0 {
		d.err = errBadRecord
	}
	return l, d.err
}

// decoder reads varints and strings from a payload, remembering the first
// error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) fail() {
	d.err = errBadRecord
	d.b = nil
}
