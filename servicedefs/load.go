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

// serviceText is one service's gzip member, parsed on first use.
type serviceText struct {
	prefix string
	member []byte
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

// catalogue returns the loaded data.
func catalogue() *catalogueData {
	c, err := load()
	if err != nil {
		// The catalogue is compiled into the binary and checked by this package's tests and
		// TestRegenerate: failing to read it is a broken build, not bad input. Answering
		// "unknown" to every lookup instead would silently drop every action.
		panic("servicedefs: the embedded catalogue is corrupt (regenerate it with go generate ./servicedefs/...): " + err.Error())
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

// parse reads a catalogue: a gzip member holding the header, then one gzip member per
// service. The header's lines are tab-separated:
//
//	#key	value…                      provenance
//	E	eventSource	prefix
//	G	1|2	Operation	METHOD	/path
//	S	prefix	offset	length         where the service's member is, after the header
//
// and a service's member holds its lines:
//
//	R	resourceType	arnFormat…
//	A	Action	resourceType…
//	O	Operation	[authorized…]          "Name" of this service or "svc:Name"; "-" for none
//
// Only the header is read here; each service is decompressed and parsed when first used.
func parse(data []byte) (*catalogueData, error) {
	br := bytes.NewReader(data)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue: %w", err)
	}
	zr.Multistream(false)
	header, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue: %w", err)
	}
	// bytes.Reader is an io.ByteReader, so gzip has read exactly the header member.
	return parseHeader(string(header), data[len(data)-br.Len():])
}

// lines calls fn with each line of text and its number, from 1.
func lines(text string, fn func(n int, line string) error) error {
	n := 1
	for start := 0; start < len(text); n++ {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if err := fn(n, text[start:end]); err != nil {
			return err
		}
		start = end + 1
	}
	return nil
}

// parseHeader reads the header text; members holds the service members.
func parseHeader(text string, members []byte) (*catalogueData, error) {
	c := &catalogueData{
		sources:    map[string]string{},
		services:   make(map[string]*serviceText, 512),
		apigateway: [2]map[string]HTTPBinding{{}, {}},
	}
	var prov []string
	err := lines(text, func(n int, line string) error {
		if line == "" {
			return nil
		}
		kind, rest, _ := strings.Cut(line, "\t")
		bad := func(why string) error {
			return fmt.Errorf("servicedefs catalogue header line %d: %s", n, why)
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
			f := strings.Split(rest, "\t")
			if len(f) != 3 || f[0] == "" {
				return bad("service line needs a prefix, an offset and a length")
			}
			off, err1 := strconv.Atoi(f[1])
			length, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || off < 0 || length < 0 || off > len(members) || length > len(members)-off {
				return bad(fmt.Sprintf("service %s lies outside the data", f[0]))
			}
			st := &serviceText{prefix: f[0], member: members[off : off+length]}
			st.parsed = sync.OnceValues(func() (*service, error) { return st.parse() })
			c.services[strings.ToLower(f[0])] = st
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
	if len(c.services) == 0 {
		return nil, fmt.Errorf("servicedefs catalogue: no services")
	}
	c.provenance = strings.Join(prov, "; ")
	return c, nil
}

// parse decompresses and parses the service's member.
func (st *serviceText) parse() (*service, error) {
	zr, err := gzip.NewReader(bytes.NewReader(st.member))
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue, service %s: %w", st.prefix, err)
	}
	zr.Multistream(false)
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("servicedefs catalogue, service %s: %w", st.prefix, err)
	}
	return parseService(st.prefix, string(text))
}

// parseService parses the R, A and O lines of one service.
func parseService(prefix string, text string) (*service, error) {
	s := &service{prefix: prefix, actions: map[string]*action{}, resources: map[string][]string{}, ops: map[string]*operation{}}
	err := lines(text, func(n int, line string) error {
		if line == "" {
			return nil
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 || f[1] == "" {
			return fmt.Errorf("servicedefs catalogue, service %s line %d: %s line without a name", prefix, n, f[0])
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
			return fmt.Errorf("servicedefs catalogue, service %s line %d: unknown line kind %q", prefix, n, f[0])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(s.order)
	return s, nil
}
