package trailscraper

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// policyResources runs the records through a Generator and returns, per action, the
// resources of the statements that allow it.
func policyResources(t *testing.T, records []string, opts ...Option) map[string][]string {
	t.Helper()
	g := NewGenerator(opts...)
	for _, raw := range records {
		r, err := cloudtrail.ParseRecord([]byte(raw))
		if err != nil {
			t.Fatalf("ParseRecord(%s): %v", raw, err)
		}
		g.Add(&r)
	}
	p, err := g.Policy()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			out[string(a)] = append(out[string(a)], s.Resource...)
		}
	}
	return out
}

func s3Get(bucket, key, extra string) string {
	return fmt.Sprintf(`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","recipientAccountId":"111111111111",
		"requestParameters":{"bucketName":%q,"key":%q}%s}`, bucket, key, extra)
}

func TestResourceModes(t *testing.T) {
	logged := `,"resources":[{"ARN":"arn:aws:s3:::b/k"}]`
	failed := `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction20150331v2","awsRegion":"us-east-1","recipientAccountId":"111111111111","errorCode":"AccessDenied","requestParameters":null}`
	okCall := `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction20150331v2","awsRegion":"us-east-1","recipientAccountId":"111111111111","requestParameters":{"functionName":"f"}}`
	tests := []struct {
		name    string
		records []string
		opts    []Option
		want    map[string][]string
	}{
		{name: "logged uses resources[]", records: []string{s3Get("b", "k", logged), s3Get("b", "other", "")},
			want: map[string][]string{"s3:GetObject": {"*", "arn:aws:s3:::b/k"}}},
		{name: "scoped builds from the request", records: []string{s3Get("b", "k", logged), s3Get("b", "other", "")},
			opts: []Option{WithResources(ResourcesScoped)},
			want: map[string][]string{"s3:GetObject": {"arn:aws:s3:::b/k", "arn:aws:s3:::b/other"}}},
		{name: "star", records: []string{s3Get("b", "k", logged)}, opts: []Option{WithResources(ResourcesStar)},
			want: map[string][]string{"s3:GetObject": {"*"}}},
		{name: "collapse past the limit", records: []string{s3Get("b", "1", ""), s3Get("b", "2", ""), s3Get("b", "3", ""), s3Get("c", "1", "")},
			opts: []Option{WithResources(ResourcesScoped), WithResourceLimit(2)},
			want: map[string][]string{"s3:GetObject": {"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}}},
		{name: "collapse in logged mode too", records: []string{s3Get("b", "1", `,"resources":[{"ARN":"arn:aws:s3:::b/1"}]`), s3Get("b", "2", `,"resources":[{"ARN":"arn:aws:s3:::b/2"}]`)},
			opts: []Option{WithResourceLimit(1)},
			want: map[string][]string{"s3:GetObject": {"arn:aws:s3:::b/*"}}},
		{name: "failed call alone keeps its action", records: []string{failed}, opts: []Option{WithResources(ResourcesScoped)},
			want: map[string][]string{"lambda:GetFunction": {"arn:aws:lambda:us-east-1:111111111111:function:*"}}},
		{name: "failed call does not widen a scoped action", records: []string{failed, okCall}, opts: []Option{WithResources(ResourcesScoped)},
			want: map[string][]string{"lambda:GetFunction": {"arn:aws:lambda:us-east-1:111111111111:function:f"}}},
		{name: "index resolves an IAM path", opts: []Option{WithResources(ResourcesScoped)}, records: []string{
			`{"eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"us-east-1","recipientAccountId":"111111111111","requestParameters":{"userName":"bob"}}`,
			`{"eventSource":"iam.amazonaws.com","eventName":"ListUserTags","awsRegion":"us-east-1","recipientAccountId":"111111111111","requestParameters":{"userName":"bob"},"resources":[{"ARN":"arn:aws:iam::111111111111:user/ops/bob"}]}`},
			want: map[string][]string{"iam:GetUser": {"arn:aws:iam::111111111111:user/ops/bob"}, "iam:ListUserTags": {"arn:aws:iam::111111111111:user/ops/bob"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := policyResources(t, tc.records, tc.opts...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResourceLimitWarns(t *testing.T) {
	var buf bytes.Buffer
	g := NewGenerator(WithResources(ResourcesScoped), WithResourceLimit(2), WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	for i := range 5 {
		r, err := cloudtrail.ParseRecord([]byte(s3Get("b", fmt.Sprint(i), "")))
		if err != nil {
			t.Fatal(err)
		}
		g.Add(&r)
	}
	if _, err := g.Policy(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "s3:GetObject: more than 2 distinct resources (5 calls)") {
		t.Errorf("warning missing or wrong: %s", buf.String())
	}
}

func TestExplainResourceSources(t *testing.T) {
	g := NewGenerator(WithResources(ResourcesScoped))
	for _, raw := range []string{s3Get("b", "k", `,"resources":[{"ARN":"arn:aws:s3:::b/k"}]`), s3Get("b", "j", "")} {
		r, err := cloudtrail.ParseRecord([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		g.Add(&r)
	}
	want := map[string]string{"arn:aws:s3:::b/k": "resources[]", "arn:aws:s3:::b/j": "request key bucketName"}
	if diff := cmp.Diff(want, g.Explain()[0].ResourceSources); diff != "" {
		t.Errorf("ResourceSources (-want +got):\n%s", diff)
	}
	// After a collapse the sources name the ARNs as the policy writes them.
	g = NewGenerator(WithResources(ResourcesScoped), WithResourceLimit(1))
	for _, raw := range []string{s3Get("b", "k", ""), s3Get("b", "j", "")} {
		r, err := cloudtrail.ParseRecord([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		g.Add(&r)
	}
	if diff := cmp.Diff(map[string]string{"arn:aws:s3:::b/*": "request key bucketName"}, g.Explain()[0].ResourceSources); diff != "" {
		t.Errorf("ResourceSources after collapse (-want +got):\n%s", diff)
	}
	// A failed call that named nothing is explained only when it is the policy's resource.
	failed := `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction20150331v2","awsRegion":"us-east-1","recipientAccountId":"111111111111","errorCode":"AccessDenied"}`
	okCall := `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction20150331v2","awsRegion":"us-east-1","recipientAccountId":"111111111111","requestParameters":{"functionName":"f"}}`
	for _, tc := range []struct {
		records []string
		want    map[string]string
	}{
		{[]string{failed}, map[string]string{"arn:aws:lambda:us-east-1:111111111111:function:*": "none"}},
		{[]string{failed, okCall}, map[string]string{"arn:aws:lambda:us-east-1:111111111111:function:f": "request key functionName"}},
	} {
		g := NewGenerator(WithResources(ResourcesScoped))
		for _, raw := range tc.records {
			r, err := cloudtrail.ParseRecord([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			g.Add(&r)
		}
		if diff := cmp.Diff(tc.want, g.Explain()[0].ResourceSources); diff != "" {
			t.Errorf("ResourceSources of %d record(s) (-want +got):\n%s", len(tc.records), diff)
		}
	}
	if logged := NewGenerator(); logged.cfg.mode != ResourcesLogged {
		t.Errorf("default mode %v, want logged", logged.cfg.mode)
	}
}

func TestResourceModeText(t *testing.T) {
	for _, m := range []ResourceMode{ResourcesLogged, ResourcesScoped, ResourcesStar} {
		var got ResourceMode
		err := got.UnmarshalText([]byte(m.String()))
		if err != nil || got != m {
			t.Errorf("UnmarshalText(%q) = %v, %v", m, got, err)
		}
	}
	var m ResourceMode
	if err := m.UnmarshalText([]byte("scope")); err == nil || !strings.Contains(err.Error(), `"scope"`) {
		t.Errorf("UnmarshalText(scope) error = %v", err)
	}
}
