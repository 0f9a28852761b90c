package output

import (
	"bytes"
	"fmt"
	"strings"
)

// Unified is a unified diff (three lines of context) from old to new for
// the file at path. A nil old or new is a file that does not exist.
func Unified(path string, old, new []byte) []byte {
	a, b := lines(old), lines(new)
	ops := diffLines(a, b)
	var out bytes.Buffer
	from, to := "a/"+path, "b/"+path
	if old == nil {
		from = "/dev/null"
	}
	if new == nil {
		to = "/dev/null"
	}
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	const context = 3
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before this change to context lines
		// after the last change within reach.
		start := max(0, i-context)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*context {
				break
			}
		}
		end = min(len(ops), end+context+1)
		var aStart, bStart, aLen, bLen int
		aStart, bStart = ops[start].a+1, ops[start].b+1
		var body strings.Builder
		for _, op := range ops[start:end] {
			body.WriteByte(op.kind)
			body.WriteString(op.line)
			switch op.kind {
			case ' ':
				aLen++
				bLen++
			case '-':
				aLen++
			case '+':
				bLen++
			}
		}
		if aLen == 0 {
			aStart--
		}
		if bLen == 0 {
			bStart--
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n%s", aStart, aLen, bStart, bLen, body.String())
		i = end
	}
	return out.Bytes()
}

type op struct {
	kind byte // ' ', '-' or '+'
	line string
	a, b int // index of the line in old and new (before it, for inserts)
}

// diffLines aligns a and b on their longest common subsequence. Generated
// files are a few hundred lines, so the quadratic table is small.
func diffLines(a, b []string) []op {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i], i, j}) // deletions first, as diff -u
			i++
		default:
			ops = append(ops, op{'+', b[j], i, j})
			j++
		}
	}
	return ops
}

func lines(src []byte) []string {
	if len(src) == 0 {
		return nil
	}
	ls := strings.SplitAfter(string(src), "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	if last := ls[len(ls)-1]; !strings.HasSuffix(last, "\n") {
		ls[len(ls)-1] = last + "\n\\ No newline at end of file\n"
	}
	return ls
}
