package gen

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/anyiogen/anyiogen/internal/spec"
)

// copyDocs renders the spec's doc texts for one copy. A doc text may be a
// text/template whose `has "Name"` asks whether the copy declares Name (a
// top-level name or "Type.Method"), so that a narrowed copy's docs leave
// out what it does not have; whatever a text renders to must name, of the
// spec's API, only what the copy declares.
type copyDocs struct {
	spec     *spec.Spec
	all      map[string]bool // every name the spec can declare
	declared map[string]bool // the names this copy declares
	funcs    template.FuncMap
	problems []error // every doc that names what the copy lacks
}

func newCopyDocs(s *spec.Spec, sel *selection) *copyDocs {
	d := &copyDocs{spec: s, all: map[string]bool{}, declared: map[string]bool{}}
	for _, e := range s.Sentinels {
		d.all[e.Name], d.declared[e.Name] = true, true
	}
	for i := range s.Backends {
		b := &s.Backends[i]
		chosen := slices.Contains(sel.backends, b)
		d.add(b.Const, chosen)
		for _, decl := range b.Declares {
			d.add(decl.Name, chosen)
		}
	}
	for i := range s.Primitives {
		p := &s.Primitives[i]
		chosen := sel.has(p.Name)
		for _, decl := range p.Declares {
			d.add(decl.Name, chosen)
		}
	}
	d.funcs = template.FuncMap{"has": func(name string) bool { return d.declared[name] }}
	return d
}

func (d *copyDocs) add(name string, declared bool) {
	d.all[name] = true
	if declared {
		d.declared[name] = true
	}
}

// apiName matches what a doc text may name of the API: an exported name,
// or Type.Method, not itself the selector of something (context.Context).
var apiName = regexp.MustCompile(`(^|[^.\w])([A-Z]\w*(?:\.[A-Z]\w*)?)`)

// render renders text, the doc of what, written at pos in the spec.
func (d *copyDocs) render(pos spec.Pos, what, text string) (string, error) {
	if strings.Contains(text, "{{") {
		t, err := template.New(what).Funcs(d.funcs).Option("missingkey=error").Parse(text)
		if err != nil {
			return "", d.spec.Errorf(pos, "the doc of %s: %v", what, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, nil); err != nil {
			return "", d.spec.Errorf(pos, "the doc of %s: %v", what, err)
		}
		text = tidyDoc(b.String())
	}
	// A method's doc opens with the method's own name, which may also be a
	// type's elsewhere in the spec (StapledStream.SendStream, SendStream).
	_, own, _ := strings.Cut(what, ".")
	for _, m := range apiName.FindAllStringSubmatch(text, -1) {
		name := m[2]
		if own != "" && name == own {
			continue
		}
		if typ, _, dotted := strings.Cut(name, "."); dotted && !d.all[name] {
			name = typ // a method the spec does not list: its type must be there
		}
		if d.all[name] && !d.declared[name] {
			d.problems = append(d.problems, d.spec.Errorf(pos, "the doc of %s names %s, which this copy does not declare (write it inside {{if has %q}}...{{end}})", what, name, name))
		}
	}
	return text, nil
}

// err is every doc problem found so far, or nil.
func (d *copyDocs) err() error { return errors.Join(d.problems...) }

// docWidth is the width a doc text whose clauses were chosen is refilled
// to, as the spec's own texts are written.
const docWidth = 74

// tidyDoc refills the paragraphs of a doc text whose clauses were chosen,
// so that what was left out leaves no gap, short line or stray space. A
// paragraph is a run of lines that are not indented (code) or list items.
func tidyDoc(text string) string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, fill(strings.Join(para, " "))...)
			para = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
			out = append(out, "")
		case line != strings.TrimLeft(line, " \t") || strings.HasPrefix(line, "- "):
			flush()
			out = append(out, strings.TrimRight(line, " \t"))
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// spaceBeforePunct is a space that a left-out clause left before a
// punctuation mark that ends a clause.
var spaceBeforePunct = regexp.MustCompile(` +([,.;:])(\s|\)|$)`)

// fill breaks one paragraph's words into lines of at most docWidth.
func fill(text string) []string {
	text = spaceBeforePunct.ReplaceAllString(text, "$1$2")
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > docWidth {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
