package source_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
)

// writeLog writes one gzipped CloudTrail log file.
func writeLog(dir, name, content string) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(content))
	zw.Close()
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
}

func ExampleDir() {
	logs, _ := os.MkdirTemp("", "logs")
	defer os.RemoveAll(logs)
	day := filepath.Join(logs, "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2017", "12", "11")
	writeLog(day, "111111111111_CloudTrail_us-east-1_20171211T1505Z_b.json.gz",
		`{"Records":[{"eventTime":"2017-12-11T15:04:51Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","n":1e5}]}`)
	writeLog(day, "111111111111_CloudTrail_us-east-1_20171211T1500Z_a.json.gz",
		`{"Records":[{"eventTime":"2017-12-11T14:58:00Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage"}]}`)
	os.WriteFile(filepath.Join(day, "111111111111_CloudTrail_us-east-1_20171211T1510Z_c.json.gz"), []byte("plain text, not gzip"), 0o644)

	dir := source.NewDir(logs)
	for r, err := range dir.Records(context.Background(), time.Time{}, time.Time{}) {
		var re *trailscraper.RecordError
		if errors.As(err, &re) {
			fmt.Println("skipped", filepath.Base(re.Source)+":", re.Err)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.EventName, string(r.Raw))
	}
	last, err := dir.LastEventTime(context.Background())
	fmt.Println(last, err)
	// Output:
	// SendMessage {"eventTime":"2017-12-11T14:58:00Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage"}
	// GetObject {"eventTime":"2017-12-11T15:04:51Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","n":1e5}
	// skipped 111111111111_CloudTrail_us-east-1_20171211T1510Z_c.json.gz: neither gzip data nor a JSON log document: the document is a value, expected an object with a "Records" array
	// 2017-12-11 15:04:51 +0000 UTC <nil>
}
