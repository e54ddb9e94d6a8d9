package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/klauspost/compress/gzip"
)

// TestRegenerate checks that the committed catalogue is what the generator makes from the
// shared snapshot and the SDK modules pinned in go.mod, byte for byte.
func TestRegenerate(t *testing.T) {
	shared := testfiles.Path(t, "data")
	got, err := generate(context.Background(), config{
		serviceReference: filepath.Join(shared, "servicereference"),
		eventSources:     filepath.Join(shared, "cloudtrail_service_mappings.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../catalogue.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("generated catalogue (%d bytes) differs from catalogue.tsv.gz (%d bytes); run go generate ./servicedefs/...", len(got), len(want))
	}
}

func TestReadBindings(t *testing.T) {
	dir := t.TempDir()
	src := `package x
func (m *awsRestjson1_serializeOpCreateThing) HandleSerialize(ctx context.Context) {
	opPath, opQuery := httpbinding.SplitURI("/things/{thingId}?mode=x")
	request.Method = "POST"
}
func (m *awsRestjson1_serializeOpBroken) HandleSerialize(ctx context.Context) {
}
func (m *awsRestjson1_serializeOpGetThing) HandleSerialize(ctx context.Context) {
	opPath, opQuery := httpbinding.SplitURI("/things/{thingId}")
	request.Method = "GET"
}
`
	path := filepath.Join(dir, "serializers.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readBindings(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []binding{{"CreateThing", "POST", "/things/{thingId}"}, {"GetThing", "GET", "/things/{thingId}"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("readBindings = %v, want %v", got, want)
	}
	if _, err := readBindings(filepath.Join(dir, "missing.go")); err == nil {
		t.Error("readBindings(missing) succeeded")
	}
}

func TestGenerateFromDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("sr/svc/svc.json", `{"Name":"svc","Actions":[{"Name":"B","Resources":[{"Name":"thing"}]},{"Name":"A"}],
		"Resources":[{"Name":"thing","ARNFormats":["arn:${Partition}:svc:::${Thing}"]}],
		"Operations":[{"Name":"DoB","AuthorizedActions":[{"Name":"B","Service":"svc"},{"Name":"PassRole","Service":"iam"}]},{"Name":"Bare"}]}`)
	write("sr/SNAPSHOT.txt", "test snapshot\n")
	es := write("es.json", `{"mappings":{"Svc.amazonaws.com":"svc"}}`)
	ag := write("ag/serializers.go", "func (m *awsRestjson1_serializeOpX) HandleSerialize(\n\topPath, opQuery := httpbinding.SplitURI(\"/x\")\n\trequest.Method = \"GET\"\n")
	data, err := generate(context.Background(), config{
		serviceReference: filepath.Join(dir, "sr"), eventSources: es,
		apigateway: filepath.Dir(ag), apigatewayv2: filepath.Dir(ag),
	})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if _, err := text.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	// All members read as one stream: the header, with the service's offset and length,
	// then the service's lines.
	wantHeader := "#trailscraper-servicedefs\t2\n#servicereference\ttest snapshot\n#apigateway\tag\tag\n" +
		"E\tsvc.amazonaws.com\tsvc\nG\t1\tX\tGET\t/x\nG\t2\tX\tGET\t/x\nS\tsvc\t0\t"
	wantService := "R\tthing\tarn:${Partition}:svc:::${Thing}\nA\tA\nA\tB\tthing\nO\tBare\nO\tDoB\tB\tiam:PassRole\n"
	got := text.String()
	if !strings.HasPrefix(got, wantHeader) || !strings.HasSuffix(got, "\n"+wantService) || strings.Count(got, "\n") != 12 {
		t.Errorf("generated catalogue:\n%s\nwant header:\n%s…\nthen:\n%s", got, wantHeader, wantService)
	}
	if _, err := generate(context.Background(), config{serviceReference: filepath.Join(dir, "nosuch"), eventSources: es}); err == nil {
		t.Error("generate from a missing directory succeeded")
	}
}

// TestFetchServiceReference reads the service list and files from a loopback server that
// speaks the layout of AWS's service reference endpoint.
func TestFetchServiceReference(t *testing.T) {
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `[{"service":"svc","url":%q}]`, srv.URL+"/v1/svc/svc.json")
	})
	mux.HandleFunc("/v1/svc/svc.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"Name":"svc","Actions":[{"Name":"A"}]}`)
	})
	mux.HandleFunc("/bad", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `[{"service":"x","url":%q}]`, srv.URL+"/missing")
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()
	got, prov, err := readServiceReference(context.Background(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "svc" || len(got[0].Actions) != 1 || !strings.HasPrefix(prov, "fetched from ") {
		t.Errorf("readServiceReference = %+v, %q", got, prov)
	}
	if _, _, err := readServiceReference(context.Background(), srv.URL+"/bad"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("readServiceReference(bad) error = %v, want a 404", err)
	}
}
