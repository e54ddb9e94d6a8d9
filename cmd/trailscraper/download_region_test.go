package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/trailscraper/trailscraper/s3download"
)

func TestDownloadProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newDownloadProgress(&buf, true)
	for _, k := range []string{"a", "b"} {
		p.event(s3download.Event{Kind: s3download.Listed, Key: k, Size: 2048})
	}
	p.event(s3download.Event{Kind: s3download.Downloaded, Key: "a", Size: 2048})
	p.event(s3download.Event{Kind: s3download.Existing, Key: "b", Size: 2048})
	p.finish()
	out := buf.String()
	for _, want := range []string{"files", "2 / 2", "bytes", "4.0 KiB / 4.0 KiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output %q does not contain %q", out, want)
		}
	}

	buf.Reset()
	p = newDownloadProgress(&buf, false)
	p.event(s3download.Event{Kind: s3download.Listed, Key: "a", Size: 1})
	p.event(s3download.Event{Kind: s3download.Downloaded, Key: "a", Size: 1})
	p.finish()
	if buf.Len() != 0 {
		t.Errorf("disabled progress wrote %q", buf.String())
	}
	if p.writer() != &buf {
		t.Errorf("disabled progress writer is not the plain stream")
	}
	if downloadIsTerminal(&buf) {
		t.Errorf("downloadIsTerminal(buffer) = true")
	}
}

func TestDownloadSummary(t *testing.T) {
	r := &s3download.Result{Listed: 10, Downloaded: 6, Existing: 2, InvalidName: 1, Unsafe: 1, Bytes: 3 << 20, Failed: 0}
	want := "trailscraper: listed 10, downloaded 6 (3.0 MiB), skipped 3 (2 already present, 1 not log files), refused 1 unsafe keys, failed 0"
	if got := downloadSummary(r); got != want {
		t.Errorf("downloadSummary() = %q, want %q", got, want)
	}
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := downloadBytes(n); got != want {
			t.Errorf("downloadBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDownloadS3ClientEndpoint(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		profile string // a ~/.aws/config
	}{
		{name: "AWS_ENDPOINT_URL_S3", env: map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}, want: "http://127.0.0.1:1"},
		{name: "AWS_ENDPOINT_URL", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:2"}, want: "http://127.0.0.1:2"},
		{name: "the S3 one wins", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:2", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:3"}, want: "http://127.0.0.1:3"},
		{
			name:    "endpoint_url in the profile",
			env:     map[string]string{"AWS_PROFILE": "minio"},
			profile: "[profile minio]\nregion = eu-west-1\nservices = minio-services\n\n[services minio-services]\ns3 =\n  endpoint_url = http://127.0.0.1:4\n",
			want:    "http://127.0.0.1:4",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgFile := dir + "/config"
			if err := os.WriteFile(cfgFile, []byte(tt.profile), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			t.Setenv("AWS_CONFIG_FILE", cfgFile)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			client, err := downloadS3Client(context.Background(), "trail-bucket", 32, false, newLogger(io.Discard, false))
			if err != nil {
				t.Fatal(err)
			}
			o := client.Options()
			if got := aws.ToString(o.BaseEndpoint); got != tt.want {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.want)
			}
			if !o.UsePathStyle {
				t.Errorf("UsePathStyle = false, want true with a custom endpoint")
			}
			if o.Region == "" {
				t.Errorf("Region is empty")
			}
			hc, ok := o.HTTPClient.(*awshttp.BuildableClient)
			if !ok || hc.GetTransport().MaxIdleConnsPerHost != 32 {
				t.Errorf("HTTP client %T does not keep 32 idle connections a host", o.HTTPClient)
			}
		})
	}
}
