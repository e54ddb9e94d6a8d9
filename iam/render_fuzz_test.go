package iam_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/trailscraper/trailscraper/iam"
)

// FuzzRender renders every policy Parse accepts as Terraform and CloudFormation and
// reads it back: what renders must be laid out as terraform fmt does and mean the same
// policy.
func FuzzRender(f *testing.F) {
	for _, tc := range renderCases {
		for _, d := range tc.docs {
			f.Add([]byte(d))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := iam.Parse(data)
		if err != nil {
			return
		}
		want := canonAll(t, []*iam.Policy{p})
		if tf, err := iam.MarshalTerraform("fuzz", p); err == nil {
			if f := hclwrite.Format(tf); string(f) != string(tf) {
				t.Errorf("not laid out as terraform fmt does:\n%s", cmp.Diff(string(f), string(tf)))
			}
			if diff := cmp.Diff(want, canonAll(t, terraformPolicies(t, tf))); diff != "" {
				t.Errorf("round trip through HCL differs (-want +got):\n%s\n%s", diff, tf)
			}
		}
		cf, err := iam.MarshalCloudFormation("fuzz", p)
		if err != nil {
			t.Fatalf("MarshalCloudFormation: %v", err)
		}
		if diff := cmp.Diff(want, canonAll(t, cloudFormationPolicies(t, cf))); diff != "" {
			t.Errorf("round trip through YAML differs (-want +got):\n%s\n%s", diff, cf)
		}
	})
}
