package servicedefs

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoads(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatalf("load() = %v", err)
	}
	if n := len(Prefixes()); n < 400 {
		t.Errorf("len(Prefixes()) = %d, want at least 400", n)
	}
	if !strings.Contains(Snapshot(), "servicereference") || !strings.Contains(Snapshot(), "apigatewayv2@") {
		t.Errorf("Snapshot() = %q, want the service reference and SDK versions", Snapshot())
	}
}

func TestPrefixForEventSource(t *testing.T) {
	tests := []struct {
		name, source, want string
		ok                 bool
	}{
		{"plain", "ec2.amazonaws.com", "ec2", true},
		{"monitoring is cloudwatch", "monitoring.amazonaws.com", "cloudwatch", true},
		{"amazonmq is mq", "amazonmq.amazonaws.com", "mq", true},
		{"rdsdata is rds-data", "rdsdata.amazonaws.com", "rds-data", true},
		{"tagging is tag", "tagging.amazonaws.com", "tag", true},
		{"mixed case source", "workmailMessageFlow.amazonaws.com", "workmailmessageflow", true},
		{"first label fallback", "lambda", "lambda", true},
		{"curated: streams.dynamodb", "streams.dynamodb.amazonaws.com", "dynamodb", true},
		{"curated: metering-marketplace", "metering-marketplace.amazonaws.com", "aws-marketplace", true},
		{"unknown first label", "unknown.amazonaws.com", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PrefixForEventSource(tt.source)
			if got != tt.want || ok != tt.ok {
				t.Errorf("PrefixForEventSource(%q) = %q, %v, want %q, %v", tt.source, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestExtraEventSourcesAreKnown(t *testing.T) {
	for src, prefix := range extraEventSources {
		if !KnownPrefix(prefix) {
			t.Errorf("extraEventSources[%q] = %q, not a prefix of the service reference", src, prefix)
		}
		if src != strings.ToLower(src) {
			t.Errorf("extraEventSources key %q is not lower case", src)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, action, want string
		ok                 bool
	}{
		{"exact", "s3:GetObject", "s3:GetObject", true},
		{"lower case", "s3:getobject", "s3:GetObject", true},
		{"prefix case", "S3:PutBucketCors", "s3:PutBucketCORS", true},
		{"invented by the original", "s3:DeleteReplicationConfiguration", "", false},
		{"lambda:Invoke is not an action", "lambda:Invoke", "", false},
		{"truncated by the original", "cloud9:CreateEnvironmentEC", "", false},
		{"unknown prefix", "nosuch:Thing", "", false},
		{"no colon", "s3GetObject", "", false},
		{"empty name", "s3:", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Canonical(tt.action)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Canonical(%q) = %q, %v, want %q, %v", tt.action, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestActions(t *testing.T) {
	got := Actions("sts")
	for _, want := range []string{"sts:AssumeRole", "sts:GetCallerIdentity", "sts:TagSession"} {
		found := false
		for _, a := range got {
			found = found || a == want
		}
		if !found {
			t.Errorf("Actions(sts) lacks %s: %v", want, got)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Errorf("Actions(sts) not sorted at %d: %q >= %q", i, got[i-1], got[i])
		}
	}
	if got := Actions("nosuch"); got != nil {
		t.Errorf("Actions(nosuch) = %v, want nil", got)
	}
}

func TestResourceTypes(t *testing.T) {
	got := ResourceTypes("iam:passrole")
	want := []ResourceType{{Name: "role", ARNFormats: []string{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ResourceTypes(iam:passrole) mismatch (-want +got):\n%s", diff)
	}
	if got := ResourceTypes("ec2:DescribeInstances"); len(got) != 0 {
		t.Errorf("ResourceTypes(ec2:DescribeInstances) = %v, want none", got)
	}
	if got := ResourceTypes("nosuch:Thing"); got != nil {
		t.Errorf("ResourceTypes(nosuch:Thing) = %v, want nil", got)
	}
}

func TestLookupOperation(t *testing.T) {
	tests := []struct {
		name, prefix, op string
		want             Operation
		ok               bool
	}{
		{"rename", "s3", "DeleteBucketLifecycle", Operation{Name: "DeleteBucketLifecycle", AuthorizedActions: []string{"s3:PutLifecycleConfiguration"}, Documented: true}, true},
		{"several", "kms", "reencrypt", Operation{Name: "ReEncrypt", AuthorizedActions: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, Documented: true}, true},
		{"cross service", "s3", "PutBucketReplication", Operation{Name: "PutBucketReplication", AuthorizedActions: []string{"iam:PassRole", "s3:PutReplicationConfiguration"}, Documented: true}, true},
		{"listed without actions", "sso", "ListAccountRoles", Operation{Name: "ListAccountRoles"}, true},
		{"unknown", "s3", "NoSuchOperation", Operation{}, false},
		{"unknown prefix", "nosuch", "Thing", Operation{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := LookupOperation(tt.prefix, tt.op)
			if ok != tt.ok {
				t.Fatalf("LookupOperation(%q, %q) ok = %v, want %v", tt.prefix, tt.op, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LookupOperation(%q, %q) mismatch (-want +got):\n%s", tt.prefix, tt.op, diff)
			}
		})
	}
}

func TestOperationNames(t *testing.T) {
	got := OperationNames("kms")
	if !slices.Contains(got, "ReEncrypt") || !slices.IsSorted(got) {
		t.Errorf("OperationNames(kms) = %v, want sorted names with ReEncrypt", got)
	}
	if got := OperationNames("nosuch"); got != nil {
		t.Errorf("OperationNames(nosuch) = %v, want nil", got)
	}
}

func TestAPIGatewayBinding(t *testing.T) {
	tests := []struct {
		name string
		v    APIGatewayVersion
		op   string
		want HTTPBinding
		ok   bool
	}{
		{"v1 create stage", APIGatewayV1, "CreateStage", HTTPBinding{"POST", "/restapis/{restApiId}/stages"}, true},
		{"v1 tag resource", APIGatewayV1, "tagresource", HTTPBinding{"PUT", "/tags/{resourceArn}"}, true},
		{"v2 tag resource", APIGatewayV2, "TagResource", HTTPBinding{"POST", "/v2/tags/{ResourceArn}"}, true},
		{"v2 get apis", APIGatewayV2, "GetApis", HTTPBinding{"GET", "/v2/apis"}, true},
		{"v2 only", APIGatewayV1, "GetApis", HTTPBinding{}, false},
		{"bad version", 3, "GetApis", HTTPBinding{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := APIGatewayBinding(tt.v, tt.op)
			if got != tt.want || ok != tt.ok {
				t.Errorf("APIGatewayBinding(%d, %q) = %v, %v, want %v, %v", tt.v, tt.op, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// build makes a catalogue of a header and services given as prefix and text; the S lines
// are added.
func build(header string, services ...string) []byte {
	var blob bytes.Buffer
	for i := 0; i+1 < len(services); i += 2 {
		off := blob.Len()
		blob.Write(gz(services[i+1]))
		header += fmt.Sprintf("S\t%s\t%d\t%d\n", services[i], off, blob.Len()-off)
	}
	return append(gz(header), blob.Bytes()...)
}

func TestParse(t *testing.T) {
	data := build("#trailscraper-servicedefs\t2\n#servicereference\tsnap\nE\tX.amazonaws.com\tx\nG\t2\tGetApis\tGET\t/v2/apis\n",
		"x", "R\tthing\tarn:${Partition}:x:::${Thing}\nA\tDoIt\tthing\nO\tDo\tDoIt\tiam:PassRole\nO\tBare\n",
		"y", "A\tZ\n")
	c, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.provenance != "servicereference: snap" || c.sources["x.amazonaws.com"] != "x" || c.apigateway[1]["getapis"].Path != "/v2/apis" {
		t.Errorf("header = %q %v %v", c.provenance, c.sources, c.apigateway)
	}
	x := c.service("x")
	if x == nil {
		t.Fatal("service x missing")
	}
	want := &service{prefix: "x",
		actions:   map[string]*action{"doit": {name: "DoIt", resources: []string{"thing"}}},
		order:     []string{"DoIt"},
		resources: map[string][]string{"thing": {"arn:${Partition}:x:::${Thing}"}},
		ops: map[string]*operation{
			"do":   {name: "Do", authorized: []string{"iam:PassRole", "x:DoIt"}, documented: true},
			"bare": {name: "Bare"},
		}}
	if diff := cmp.Diff(want, x, cmp.AllowUnexported(service{}, action{}, operation{})); diff != "" {
		t.Errorf("service x mismatch (-want +got):\n%s", diff)
	}
	if y := c.service("y"); y == nil || len(y.order) != 1 {
		t.Errorf("service y = %+v", y)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("not a gzip file at all"), "servicedefs catalogue: gzip: invalid header"},
		{"truncated", []byte("\x1f\x8b"), "servicedefs catalogue: unexpected EOF"},
		{"no services", build("#trailscraper-servicedefs\t2\n"), "no services"},
		{"unknown kind", build("X\ty\n", "s3", ""), `header line 1: unknown line kind "X"`},
		{"short source", build("E\tx\n", "s3", ""), "header line 1: event source line needs 2 fields"},
		{"bad version", build("G\t3\tOp\tGET\t/\n", "s3", ""), "header line 1: binding version is not 1 or 2"},
		{"bad service line", build("S\ts3\n"), "header line 1: service line needs a prefix, an offset and a length"},
		{"service outside the data", build("S\ts3\t0\t99\n"), "header line 1: service s3 lies outside the data"},
		{"negative offset", build("S\ts3\t-1\t1\n"), "header line 1: service s3 lies outside the data"},
		{"empty name in service", build("", "s3", "O\t\n"), "service s3 line 1: O line without a name"},
		{"unknown kind in service", build("", "s3", "A\tX\nQ\ty\n"), `service s3 line 2: unknown line kind "Q"`},
		{"service not gzip", append(gz("S\ts3\t0\t12\n"), "not gzip at all"...), "service s3: gzip: invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(tt.data)
			if err == nil {
				for _, st := range c.services {
					if _, err = st.parsed(); err != nil {
						break
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(build("E\ta.amazonaws.com\ta\nG\t1\tOp\tGET\t/x\n#k\tv\n", "s3", "R\tbucket\tarn:${Partition}:s3:::${BucketName}\nA\tListBucket\tbucket\nO\tHeadBucket\tListBucket\n"))
	f.Add(build("", "a", "A\tX\n", "b", "O\tY\t-\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data)
		if err != nil {
			return
		}
		if len(c.services) == 0 {
			t.Fatal("parse succeeded without services")
		}
		for p := range c.services {
			c.service(p) // must not panic
		}
	})
}

// BenchmarkFirstLookup measures what the first lookup pays once: reading the header and
// decompressing and parsing one service (s3, one of the largest).
func BenchmarkFirstLookup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := parse(embedded)
		if err != nil {
			b.Fatal(err)
		}
		if s := c.service("s3"); s == nil || s.actions["getobject"] == nil {
			b.Fatal("s3:GetObject missing")
		}
	}
}

// BenchmarkLoadEverything decompresses and parses every service, for comparison.
func BenchmarkLoadEverything(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := parse(embedded)
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range c.services {
			if _, err := st.parsed(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestAllServicesParse parses every embedded service, which lookups otherwise do lazily.
func TestAllServicesParse(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	for p, st := range c.services {
		if _, err := st.parsed(); err != nil {
			t.Errorf("service %s: %v", p, err)
		}
	}
}

func BenchmarkCanonical(b *testing.B) {
	Canonical("s3:GetObject")
	for b.Loop() {
		Canonical("s3:getobject")
	}
}

func ExampleCanonical() {
	a, ok := Canonical("s3:putbucketcors")
	fmt.Println(a, ok)
	_, ok = Canonical("lambda:Invoke")
	fmt.Println(ok)
	// Output:
	// s3:PutBucketCORS true
	// false
}

func ExampleLookupOperation() {
	op, _ := LookupOperation("kms", "ReEncrypt")
	fmt.Println(op.AuthorizedActions)
	// Output: [kms:ReEncryptFrom kms:ReEncryptTo]
}

func ExampleAPIGatewayBinding() {
	b, _ := APIGatewayBinding(APIGatewayV2, "CreateIntegration")
	fmt.Println(b.Method, b.Path)
	// Output: POST /v2/apis/{ApiId}/integrations
}

func ExamplePrefixForEventSource() {
	p, _ := PrefixForEventSource("monitoring.amazonaws.com")
	fmt.Println(p)
	_, ok := PrefixForEventSource("unknown.amazonaws.com")
	fmt.Println(ok)
	// Output:
	// cloudwatch
	// false
}

func ExampleResourceTypes() {
	for _, rt := range ResourceTypes("s3:ListBucket") {
		fmt.Println(rt.Name, rt.ARNFormats)
	}
	// Output:
	// accesspoint [arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}]
	// bucket [arn:${Partition}:s3:::${BucketName}]
}
