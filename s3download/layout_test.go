package s3download

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestLayoutValidate(t *testing.T) {
	ok := Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"eu-central-1", "us-gov-west-1"}, OrgIDs: []string{"o-a1b2c3d4e5"}}
	tests := []struct {
		name  string
		l     Layout
		field string // "" when valid
	}{
		{"valid", ok, ""},
		{"no account", Layout{Regions: ok.Regions}, "AccountIDs"},
		{"no region", Layout{AccountIDs: ok.AccountIDs}, "Regions"},
		{"short account", Layout{AccountIDs: []string{"1111"}, Regions: ok.Regions}, "AccountIDs"},
		{"account with a path", Layout{AccountIDs: []string{"111111111111/../x"}, Regions: ok.Regions}, "AccountIDs"},
		{"region typo", Layout{AccountIDs: ok.AccountIDs, Regions: []string{"eu-central"}}, "Regions"},
		{"org id", Layout{AccountIDs: ok.AccountIDs, Regions: ok.Regions, OrgIDs: []string{"org-1"}}, "OrgIDs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			var le *LayoutError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.field != "" && (!errors.As(err, &le) || le.Field != tt.field || !errors.Is(err, ErrLayout)):
				t.Errorf("Validate() = %v, want a LayoutError for %s", err, tt.field)
			}
		})
	}
}

func TestBucketRegion(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header string
		want   string
	}{
		{name: "wrong region: 301 with the bucket's region", status: http.StatusMovedPermanently, header: "eu-west-1", want: "eu-west-1"},
		{name: "forbidden: 403 still names the region", status: http.StatusForbidden, header: "ap-south-1", want: "ap-south-1"},
		{name: "right region", status: http.StatusOK, header: "us-east-1", want: "us-east-1"},
		{name: "no such bucket, no header", status: http.StatusNotFound, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodHead || r.URL.Path != "/trail-bucket" {
					t.Errorf("request %s %s, want HEAD /trail-bucket", r.Method, r.URL.Path)
				}
				if tt.header != "" {
					w.Header().Set("X-Amz-Bucket-Region", tt.header)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			client := s3.New(s3.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				UsePathStyle: true,
				Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
			})
			if got := BucketRegion(context.Background(), client, "trail-bucket"); got != tt.want {
				t.Errorf("BucketRegion() = %q, want %q", got, tt.want)
			}
		})
	}
}
