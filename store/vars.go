package store

import (
	"encoding/binary"
	"errors"
	"sort"
)

var errBadVars = errors.New("malformed config vars encoding")

// encodeVars serializes vars deterministically (sorted by key): a uvarint
// count, then for each pair the uvarint length and bytes of the key and of
// the value. Unlike JSON it keeps any byte sequence exactly.
func encodeVars(vars map[string]string) []byte {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := binary.AppendUvarint(nil, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, vars[k])
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeVars reverses encodeVars; it never returns a nil map.
func decodeVars(b []byte) (map[string]string, error) {
	n, b, err := readUvarint(b)
	if err != nil || n > uint64(len(b)) {
		return nil, errBadVars
	}
	vars := make(map[string]string, n)
	for range n {
		var k, v string
		if k, b, err = readString(b); err != nil {
			return nil, err
		}
		if v, b, err = readString(b); err != nil {
			return nil, err
		}
		vars[k] = v
	}
	if len(b) != 0 || len(vars) != int(n) {
		return nil, errBadVars
	}
	return vars, nil
}

func readUvarint(b []byte) (uint64, []byte, error) {
	n, size := binary.Uvarint(b)
	if size <= 0 {
		return 0, nil, errBadVars
	}
	return n, b[size:], nil
}

func readString(b []byte) (string, []byte, error) {
	n, b, err := readUvarint(b)
	if err != nil || n > uint64(len(b)) {
		return "", nil, errBadVars
	}
	return string(b[:n]), b[n:], nil
}
