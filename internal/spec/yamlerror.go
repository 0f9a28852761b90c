package spec

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yamlError turns an error of the YAML library into an Error at the place
// it is about. The library's text is "yaml: line N: message", which says
// less than it seems: it leaves the line out when it would be the first,
// it counts the parser's lines from 0 (the scanner's from 1), it gives no
// column, and it gives no place at all for bad characters or unknown
// anchors. Those last two are found again in data; everything else gets
// column 1, or the end of data if the line is past it.
func yamlError(file string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Pos{1, 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblems[msg] {
			p.Line++
		}
		// At the end of the input the library counts one line more when
		// the last line has no line break; the end is the better place.
		if end := posAt(data, len(data)); p.Line > end.Line {
			p = end
		}
		return &Error{File: file, Pos: p, Msg: msg}
	}
	if readerProblems[msg] {
		if off, found, ok := badChar(data); ok {
			p = posAt(data, off)
			msg += " (found " + found + ")"
		}
	} else if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if loc := aliasOf(m[1]).FindIndex(data); loc != nil {
			// The match may begin with the separator before the '*'.
			p = posAt(data, loc[0]+bytes.IndexByte(data[loc[0]:loc[1]], '*'))
		}
	}
	return &Error{File: file, Pos: p, Msg: msg}
}

var (
	yamlLine      = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '([0-9A-Za-z_-]+)' referenced$`)
)

// parserProblems are the messages of the YAML parser, whose line numbers
// (unlike the scanner's) count from 0. The two sets of messages are
// disjoint; TestYAMLErrorPositions pins the numbering in case the library
// changes it.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// readerProblems are the messages of the YAML reader, which checks the
// encoding and the characters before the scanner sees them, and so knows
// only a byte offset it does not report.
var readerProblems = map[string]bool{
	"control characters are not allowed": true,
	"invalid leading UTF-8 octet":        true,
	"invalid trailing UTF-8 octet":       true,
	"invalid length of a UTF-8 sequence": true,
	"incomplete UTF-8 octet sequence":    true,
	"invalid Unicode character":          true,
	"incomplete UTF-16 character":        true,
	"incomplete UTF-16 surrogate pair":   true,
	"unexpected low surrogate area":      true,
	"expected low surrogate area":        true,
}

// aliasOf matches an alias *name as the YAML scanner reads one: after a
// separator and before a blank or an indicator.
func aliasOf(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s\[{,])\*` + regexp.QuoteMeta(name) + "(?:$|[\\s?:,\\]}%@`])")
}

// bomLen is the length of the UTF-8 byte order mark that data starts
// with, or 0. The YAML reader skips it, so positions start after it.
func bomLen(data []byte) int {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return 3
	}
	return 0
}

// badChar finds the first character of UTF-8 data that the YAML reader
// rejects: bytes that are not UTF-8, and characters YAML does not allow
// (controls other than tab and line breaks, surrogates, U+FFFE, U+FFFF).
// It returns the byte offset and what is there. For UTF-16 data, which
// starts with its byte order mark, it finds nothing.
func badChar(data []byte) (off int, found string, ok bool) {
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return 0, "", false
	}
	for off = bomLen(data); off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off, fmt.Sprintf("byte 0x%02x", data[off]), true
		}
		if !yamlAllowed(r) {
			return off, fmt.Sprintf("%U", r), true
		}
		off += size
	}
	return 0, "", false
}

// yamlAllowed reports whether YAML allows r in a stream (YAML 1.1, 5.1).
func yamlAllowed(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// posAt is the position of byte offset off in valid UTF-8 data, counted as
// the YAML scanner counts: lines break at LF, CR, CRLF, NEL, LS and PS;
// columns are characters, from 1.
func posAt(data []byte, off int) Pos {
	p := Pos{1, 1}
	for i := bomLen(data); i < off; {
		r, size := utf8.DecodeRune(data[i:])
		switch r {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				size++
			}
			fallthrough
		case '\n', 0x85, 0x2028, 0x2029:
			p.Line, p.Col = p.Line+1, 1
		default:
			p.Col++
		}
		i += size
	}
	return p
}
