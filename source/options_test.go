package source

import (
	"log/slog"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// TestOptionKinds checks which constructors accept each option: an option a source does not
// honour must not compile with it, which is the same as its value not implementing that
// source's option interface.
func TestOptionKinds(t *testing.T) {
	tests := []struct {
		name                          string
		opt                           any
		dir, cloudTrail, lake, athena bool
	}{
		{"WithLogger", WithLogger(slog.Default()), true, true, true, true},
		{"WithFilter", WithFilter(cloudtrail.Filter{}), true, true, true, true},
		{"WithParallelism", WithParallelism(2), true, true, false, false},
		{"WithRegions", WithRegions("eu-west-1"), false, true, false, false},
		{"WithRequestRate", WithRequestRate(1), false, true, false, false},
		{"WithPollInterval", WithPollInterval(time.Second), false, false, true, true},
		{"WithProgress", WithProgress(func(Progress) {}), false, true, true, true},
		{"WithWorkGroup", WithWorkGroup("wg"), false, false, false, true},
		{"WithOutputLocation", WithOutputLocation("s3://b/"), false, false, false, true},
		{"WithPartitionScheme", WithPartitionScheme(PartitionTimestamp), false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, dir := tt.opt.(DirOption)
			_, trail := tt.opt.(CloudTrailOption)
			_, lake := tt.opt.(LakeOption)
			_, athena := tt.opt.(AthenaOption)
			if dir != tt.dir || trail != tt.cloudTrail || lake != tt.lake || athena != tt.athena {
				t.Errorf("%s is a DirOption %v, CloudTrailOption %v, LakeOption %v, AthenaOption %v; want %v %v %v %v",
					tt.name, dir, trail, lake, athena, tt.dir, tt.cloudTrail, tt.lake, tt.athena)
			}
		})
	}
}

// TestDirHonoursFilter checks that NewDir applies a WithFilter filter.
func TestDirHonoursFilter(t *testing.T) {
	dir := t.TempDir()
	dirWriteFiles(t, dir, map[string][]byte{
		"111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz": dirGzip(t,
			`{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2017-12-11T15:00:00Z"},`+
				`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","eventTime":"2017-12-11T15:01:00Z"}]}`),
	})
	src := NewDir(dir, WithFilter(cloudtrail.Filter{EventSources: []string{"ec2.amazonaws.com"}}))
	var got []string
	for r, err := range src.Records(t.Context(), time.Time{}, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.EventName)
	}
	if len(got) != 1 || got[0] != "DescribeInstances" {
		t.Errorf("records = %v, want [DescribeInstances]", got)
	}
}
