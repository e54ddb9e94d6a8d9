package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// config says where the generator reads from.
type config struct {
	serviceReference string // directory or http(s) URL
	eventSources     string // JSON file
	apigateway       string // module directories; empty means ask go mod download
	apigatewayv2     string
}

// service is the part of one service reference file the catalogue keeps.
type service struct {
	Name    string `json:"Name"`
	Actions []struct {
		Name      string `json:"Name"`
		Resources []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
	} `json:"Actions"`
	Resources []struct {
		Name       string   `json:"Name"`
		ARNFormats []string `json:"ARNFormats"`
	} `json:"Resources"`
	Operations []struct {
		Name              string `json:"Name"`
		AuthorizedActions *[]struct {
			Name    string `json:"Name"`
			Service string `json:"Service"`
		} `json:"AuthorizedActions"`
	} `json:"Operations"`
}

// binding is one API Gateway operation's HTTP method and path template.
type binding struct {
	op, method, path string
}

// generate returns the gzipped catalogue.
func generate(ctx context.Context, cfg config) ([]byte, error) {
	services, provenance, err := readServiceReference(ctx, cfg.serviceReference)
	if err != nil {
		return nil, err
	}
	sources, err := readEventSources(cfg.eventSources)
	if err != nil {
		return nil, err
	}
	var bindings [2][]binding
	var versions [2]string
	for i, mod := range []struct{ dir, path string }{
		{cfg.apigateway, "github.com/aws/aws-sdk-go-v2/service/apigateway"},
		{cfg.apigatewayv2, "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"},
	} {
		dir := mod.dir
		if dir == "" {
			if dir, err = moduleDir(ctx, mod.path); err != nil {
				return nil, err
			}
		}
		versions[i] = filepath.Base(dir)
		if bindings[i], err = readBindings(filepath.Join(dir, "serializers.go")); err != nil {
			return nil, err
		}
	}

	// Each service is its own gzip member, so that a lookup decompresses only the
	// service it needs; the first member, the header, says where each one is.
	var blob bytes.Buffer
	type member struct {
		prefix      string
		off, length int
	}
	var index []member
	for _, s := range services {
		var text bytes.Buffer
		writeService(&text, s)
		off := blob.Len()
		if err := gzipTo(&blob, text.Bytes()); err != nil {
			return nil, err
		}
		index = append(index, member{s.Name, off, blob.Len() - off})
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "#trailscraper-servicedefs\t2\n")
	fmt.Fprintf(&b, "#servicereference\t%s\n", provenance)
	fmt.Fprintf(&b, "#apigateway\t%s\t%s\n", versions[0], versions[1])
	for _, src := range slices.Sorted(mapsKeys(sources)) {
		fmt.Fprintf(&b, "E\t%s\t%s\n", src, sources[src])
	}
	for v, list := range bindings {
		for _, bd := range list {
			fmt.Fprintf(&b, "G\t%d\t%s\t%s\t%s\n", v+1, bd.op, bd.method, bd.path)
		}
	}
	for _, m := range index {
		fmt.Fprintf(&b, "S\t%s\t%d\t%d\n", m.prefix, m.off, m.length)
	}
	var out bytes.Buffer
	if err := gzipTo(&out, b.Bytes()); err != nil {
		return nil, err
	}
	out.Write(blob.Bytes())
	return out.Bytes(), nil
}

// gzipTo appends data to w as one gzip member, deterministically (no name, no time).
func gzipTo(w *bytes.Buffer, data []byte) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// clean reports whether s can be written as a catalogue field.
func clean(s string) bool { return s != "" && !strings.ContainsAny(s, "\t\n\r") }

// writeService writes the R, A and O lines of one service.
func writeService(b *bytes.Buffer, s service) {
	res := slices.Clone(s.Resources)
	slices.SortFunc(res, func(x, y struct {
		Name       string   `json:"Name"`
		ARNFormats []string `json:"ARNFormats"`
	}) int {
		return strings.Compare(x.Name, y.Name)
	})
	for _, r := range res {
		if !clean(r.Name) {
			continue
		}
		b.WriteString("R\t" + r.Name)
		for _, f := range slices.Sorted(slices.Values(r.ARNFormats)) {
			if clean(f) {
				b.WriteString("\t" + f)
			}
		}
		b.WriteByte('\n')
	}
	actions := slices.Clone(s.Actions)
	slices.SortFunc(actions, func(x, y struct {
		Name      string `json:"Name"`
		Resources []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
	}) int {
		return strings.Compare(x.Name, y.Name)
	})
	for i, a := range actions {
		if !clean(a.Name) || (i > 0 && actions[i-1].Name == a.Name) {
			continue
		}
		b.WriteString("A\t" + a.Name)
		var names []string
		for _, r := range a.Resources {
			if clean(r.Name) {
				names = append(names, r.Name)
			}
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			b.WriteString("\t" + n)
		}
		b.WriteByte('\n')
	}
	ops := slices.Clone(s.Operations)
	slices.SortFunc(ops, func(x, y struct {
		Name              string `json:"Name"`
		AuthorizedActions *[]struct {
			Name    string `json:"Name"`
			Service string `json:"Service"`
		} `json:"AuthorizedActions"`
	}) int {
		return strings.Compare(x.Name, y.Name)
	})
	for i, o := range ops {
		if !clean(o.Name) || (i > 0 && ops[i-1].Name == o.Name) {
			continue
		}
		b.WriteString("O\t" + o.Name)
		if o.AuthorizedActions != nil {
			var auth []string
			for _, a := range *o.AuthorizedActions {
				if !clean(a.Name) || !clean(a.Service) {
					continue
				}
				if a.Service == s.Name {
					auth = append(auth, a.Name)
				} else {
					auth = append(auth, a.Service+":"+a.Name)
				}
			}
			slices.Sort(auth)
			auth = slices.Compact(auth)
			if len(auth) == 0 {
				// Listed with an empty list: keep it distinct from "no data".
				auth = []string{"-"}
			}
			for _, a := range auth {
				b.WriteString("\t" + a)
			}
		}
		b.WriteByte('\n')
	}
}

// readServiceReference reads every service of the reference and says where it came from.
func readServiceReference(ctx context.Context, src string) ([]service, string, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return fetchServiceReference(ctx, src)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, "", fmt.Errorf("reading the service reference: %w", err)
	}
	provenance := "directory"
	if snap, err := os.ReadFile(filepath.Join(src, "SNAPSHOT.txt")); err == nil {
		provenance = strings.Join(strings.Fields(string(snap)), " ")
	}
	var out []service
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		path := filepath.Join(src, e.Name(), e.Name()+".json")
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		s, err := parseService(data)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("no <svc>/<svc>.json files in %s", src)
	}
	slices.SortFunc(out, func(a, b service) int { return strings.Compare(a.Name, b.Name) })
	return out, provenance, nil
}

func parseService(data []byte) (service, error) {
	var s service
	if err := json.Unmarshal(data, &s); err != nil {
		return s, err
	}
	if !clean(s.Name) || strings.Contains(s.Name, ":") {
		return s, fmt.Errorf("service name %q is not usable", s.Name)
	}
	return s, nil
}

// fetchServiceReference reads the service list at url and then every service file.
func fetchServiceReference(ctx context.Context, url string) ([]service, string, error) {
	body, err := get(ctx, url)
	if err != nil {
		return nil, "", err
	}
	var index []struct {
		Service string `json:"service"`
		URL     string `json:"url"`
	}
	if err := json.Unmarshal(body, &index); err != nil {
		return nil, "", fmt.Errorf("service list at %s: %w", url, err)
	}
	var out []service
	for _, e := range index {
		data, err := get(ctx, e.URL)
		if err != nil {
			return nil, "", err
		}
		s, err := parseService(data)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", e.URL, err)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b service) int { return strings.Compare(a.Name, b.Name) })
	return out, "fetched from " + url, nil
}

func get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

// readEventSources reads {"mappings": {"source": "prefix"}}.
func readEventSources(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the event source table: %w", err)
	}
	var doc struct {
		Mappings map[string]string `json:"mappings"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	for src, prefix := range doc.Mappings {
		src = strings.ToLower(strings.TrimSpace(src))
		if clean(src) && clean(prefix) {
			out[src] = prefix
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no mappings", path)
	}
	return out, nil
}

// moduleDir asks the go command where a required module is in the module cache,
// downloading it (at the version go.mod pins) when the cache does not hold it yet:
// `go list -m` would only report a module that is already there.
func moduleDir(ctx context.Context, path string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s (pass the directory with a flag)", path, m.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s (pass the directory with a flag)", path, err, strings.TrimSpace(stderr.String()))
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory reported (pass the directory with a flag)", path)
	}
	return m.Dir, nil
}

var (
	opRE     = regexp.MustCompile(`^func \(m \*awsRestjson1_serializeOp(\w+)\) HandleSerialize\(`)
	pathRE   = regexp.MustCompile(`opPath, opQuery := httpbinding\.SplitURI\("([^"]*)"\)`)
	methodRE = regexp.MustCompile(`request\.Method = "([A-Z]+)"`)
)

// readBindings reads each operation's HTTP method and path from an SDK serializers.go.
func readBindings(path string) ([]binding, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading API Gateway serializers: %w", err)
	}
	defer f.Close()
	var out []binding
	var cur *binding
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := opRE.FindStringSubmatch(line); m != nil {
			out = append(out, binding{op: m[1]})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			continue
		}
		if m := pathRE.FindStringSubmatch(line); m != nil && cur.path == "" {
			p, _, _ := strings.Cut(m[1], "?")
			cur.path = p
		} else if m := methodRE.FindStringSubmatch(line); m != nil && cur.method == "" {
			cur.method = m[1]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out = slices.DeleteFunc(out, func(b binding) bool { return b.method == "" || b.path == "" })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no operations found", path)
	}
	slices.SortFunc(out, func(a, b binding) int { return strings.Compare(a.op, b.op) })
	return out, nil
}
