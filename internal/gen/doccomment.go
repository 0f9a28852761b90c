package gen

import "strings"

// docComment renders doc text as a // comment block ending in a newline.
func docComment(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(doc, "\n"), "\n") {
		if line == "" {
			b.WriteString("//\n")
		} else {
			b.WriteString("// " + line + "\n")
		}
	}
	return b.String()
}
