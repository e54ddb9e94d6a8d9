package main

import (
	"flag"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trailscraper/trailscraper/internal/iamfake"
)

var updateDiff = flag.Bool("update-diff", false, "rewrite the files that testdata/diff scripts compare stdout with")

// TestDiffScript runs diff end to end on the txtar files in testdata/diff, with
// AWS_ENDPOINT_URL_IAM pointing at a loopback IAM (internal/iamfake) that holds the role
// "app" and the user "alice"; $IAM_DENIED is one that answers AccessDenied to
// GetRolePolicy.
func TestDiffScript(t *testing.T) {
	ok := httptest.NewServer(diffIAM(nil))
	t.Cleanup(ok.Close)
	denied := httptest.NewServer(diffIAM(map[string]bool{"GetRolePolicy": true}))
	t.Cleanup(denied.Close)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/diff",
		UpdateScripts: *updateDiff,
		Setup: func(e *testscript.Env) error {
			fakeAWSEnv(e) // no AWS_REGION: IAM needs none
			e.Setenv("AWS_ENDPOINT_URL_IAM", ok.URL)
			e.Setenv("IAM_DENIED", denied.URL)
			return nil
		},
	})
}

// fakeAWSEnv gives a script static AWS credentials and no AWS configuration files or
// instance metadata, so that nothing in it can reach real AWS or the tester's profile.
func fakeAWSEnv(e *testscript.Env) {
	e.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	e.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	e.Setenv("AWS_CONFIG_FILE", filepath.Join(e.WorkDir, "no-aws-config"))
	e.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(e.WorkDir, "no-aws-credentials"))
	e.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	e.Setenv("TZ", "UTC")
	e.Setenv("HOME", e.WorkDir)
}

func diffIAM(denied map[string]bool) *iamfake.IAM {
	const appARN = "arn:aws:iam::111122223333:policy/app-read"
	return &iamfake.IAM{
		PageSize: 1,
		Denied:   denied,
		Policies: map[string]iamfake.Policy{
			appARN: {DefaultVersion: "v3", Versions: map[string]string{
				"v3": `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-data","arn:aws:s3:::app-data/*","arn:aws:s3:::old-data/*"]}]}`,
				"v1": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			}},
		},
		Roles: map[string]iamfake.Principal{
			"app": {
				Attached: []string{appARN},
				Inline: map[string]string{
					"queue": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*Message","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`,
					"deny":  `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sqs:DeleteMessage","Resource":"*"}}`,
				},
			},
		},
		Users: map[string]iamfake.Principal{
			"alice": {Inline: map[string]string{"own": `{"Statement":{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}}`}, Groups: []string{"readers"}},
		},
		Groups: map[string]iamfake.Principal{
			"readers": {Attached: []string{appARN}},
		},
	}
}
