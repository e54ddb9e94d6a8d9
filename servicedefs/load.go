package servicedefs

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed catalogue.tsv.gz
var embedded []byte

type catalogueData struct {
	provenance string
	sources    map[string]string       // lower-case event source → prefix
	services   map[string]*serviceText // lower-case prefix → service
	apigateway [2]map[string]HTTPBinding
}

// serviceText is one service's lines, parsed on first use.
type serviceText struct {
	prefix string
	line   int // line number of the S line, for errors
	text   string
	parsed func() (*service, error)
}

type service struct {
	prefix    string
	actions   map[string]*action // lower-case name
	order     []string           // canonical action names, sorted
	resources map[string][]string
	ops       map[string]*operation // lower-case name
}

type action struct {
	name      string
	resources []string
}

type operation struct {
	name       string
	authorized []string
	documented bool
}

var load = sync.OnceValues(func() (*catalogueData, error) { return parse(embedded) })

var empty = &catalogueData{sources: map[string]string{}, services: map[string]*serviceText{},
	apigateway: [2]map[string]HTTPBinding{{}, {}}}

// catalogue returns the loaded data, or an empty catalogue if it could not be loaded.
func catalogue() *catalogueData {
	c, err := load()
	if err != nil {
		return empty
	}
	return c
}

// service returns the parsed service of a lower-case prefix, or nil.
func (c *catalogueData) service(prefix string) *service {
	st := c.services[prefix]
	if st == nil {
		return nil
	}
	s, err := st.parsed()
	if err != nil {
		return nil
	}
	return s
}

// parse reads a gzipped catalogue. Lines are tab-separated:
//
//	#key	value…                      provenance
//	E	eventSource	prefix
//	G	1|2	Operation	METHOD	/path
//	S	prefix                         starts a service; R, A and O lines belong to it
//	R	resourceType	arnFormat…
//	A	Action	resourceType…
//	O	Operation	[authorized…]          "Name" of this service or "svc:Name"; "-" for none
//
// Only the top level is read here; each service's lines are parsed when first used.
func parse(data []byte) (*catalogueData, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue: %w", err)
	}
	return parseText(string(raw))
}

// lines calls fn with each line of text and its number, from first.
func lines(text string, first int, fn func(n, start int, line string) error) error {
	n := first
	for start := 0; start < len(text); n++ {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if err := fn(n, start, text[start:end]); err != nil {
			return err
		}
		start = end + 1
	}
	return nil
}

func parseText(text string) (*catalogueData, error) {
	c := &catalogueData{
		sources:    map[string]string{},
		services:   make(map[string]*serviceText, 512),
		apigateway: [2]map[string]HTTPBinding{{}, {}},
	}
	var cur *serviceText
	var prov []string
	curStart := 0
	closeService := func(end int) {
		if cur != nil {
			cur.text = text[curStart:end]
			st := cur
			st.parsed = sync.OnceValues(func() (*service, error) { return parseService(st.prefix, st.line, st.text) })
		}
	}
	err := lines(text, 1, func(n, start int, line string) error {
		if line == "" {
			return nil
		}
		kind, rest, _ := strings.Cut(line, "\t")
		bad := func(why string) error {
			return fmt.Errorf("servicedefs catalogue line %d: %s", n, why)
		}
		switch kind {
		case "E":
			f := strings.Split(rest, "\t")
			if len(f) != 2 {
				return bad("event source line needs 2 fields")
			}
			c.sources[strings.ToLower(f[0])] = f[1]
		case "G":
			f := strings.Split(rest, "\t")
			if len(f) != 4 {
				return bad("binding line needs 4 fields")
			}
			v, err := strconv.Atoi(f[0])
			if err != nil || v < 1 || v > 2 {
				return bad("binding version is not 1 or 2")
			}
			c.apigateway[v-1][strings.ToLower(f[1])] = HTTPBinding{Method: f[2], Path: f[3]}
		case "S":
			if rest == "" || strings.Contains(rest, "\t") {
				return bad("service line needs one prefix")
			}
			closeService(start)
			cur = &serviceText{prefix: rest, line: n + 1}
			curStart = start + len(line) + 1
			if curStart > len(text) {
				curStart = len(text)
			}
			c.services[strings.ToLower(rest)] = cur
		case "R", "A", "O":
			if cur == nil {
				return bad(kind + " line before any service")
			}
		default:
			if strings.HasPrefix(kind, "#") {
				if kind != "#trailscraper-servicedefs" && rest != "" {
					prov = append(prov, kind[1:]+": "+strings.ReplaceAll(rest, "\t", " "))
				}
				return nil
			}
			return bad(fmt.Sprintf("unknown line kind %q", kind))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	closeService(len(text))
	if len(c.services) == 0 {
		return nil, fmt.Errorf("servicedefs catalogue: no services")
	}
	c.provenance = strings.Join(prov, "; ")
	return c, nil
}

// parseService parses the R, A and O lines of one service; first is the line number of
// the first of them.
func parseService(prefix string, first int, text string) (*service, error) {
	s := &service{prefix: prefix, actions: map[string]*action{}, resources: map[string][]string{}, ops: map[string]*operation{}}
	err := lines(text, first, func(n, _ int, line string) error {
		if line == "" {
			return nil
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 || f[1] == "" {
			return fmt.Errorf("servicedefs catalogue line %d: %s line without a name", n, f[0])
		}
		switch f[0] {
		case "R":
			s.resources[f[1]] = f[2:]
		case "A":
			s.actions[strings.ToLower(f[1])] = &action{name: f[1], resources: f[2:]}
			s.order = append(s.order, f[1])
		case "O":
			o := &operation{name: f[1], documented: len(f) > 2}
			for _, a := range f[2:] {
				switch {
				case a == "-":
				case strings.Contains(a, ":"):
					o.authorized = append(o.authorized, a)
				default:
					o.authorized = append(o.authorized, prefix+":"+a)
				}
			}
			slices.Sort(o.authorized)
			s.ops[strings.ToLower(f[1])] = o
		default:
			return fmt.Errorf("servicedefs catalogue line %d: unexpected %q line inside service %s", n, f[0], prefix)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(s.order)
	return s, nil
}
