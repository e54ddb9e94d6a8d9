// Command gencorpus writes a synthetic directory of CloudTrail log files for benchmarks:
//
//	go run ./internal/gencorpus -out /tmp/corpus -files 2000 -records 200
//
// The files are laid out and named as CloudTrail delivers them
// (AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz),
// one every five minutes per region, and hold records of about 1 KB shaped like real ones
// (assumed-role sessions, IAM users and AWS services calling S3, SQS, DynamoDB, KMS, EC2,
// Lambda, CloudWatch Logs and STS, with resources and a few failed calls). The
// output depends only on the flags: the same flags write the same bytes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

func main() {
	out := flag.String("out", "", "the directory to write the corpus to (required)")
	files := flag.Int("files", 2000, "how many log files to write")
	records := flag.Int("records", 200, "how many records per file")
	seed := flag.Uint64("seed", 1, "the random seed")
	start := flag.String("start", "2017-12-04T00:00:00Z", "the delivery time of the first file (RFC 3339)")
	flag.Parse()
	if err := run(*out, *files, *records, *seed, *start); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

const account = "111111111111"

var regions = []string{"eu-central-1", "us-east-1"}

func run(out string, files, records int, seed uint64, startText string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	if files < 0 || records < 0 {
		return fmt.Errorf("-files and -records must not be negative")
	}
	start, err := time.Parse(time.RFC3339, startText)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	g := &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x5eed))}
	var total, raw, compressed int64
	var buf bytes.Buffer
	for i := range files {
		region := regions[i%len(regions)]
		delivered := start.Add(time.Duration(i/len(regions)) * 5 * time.Minute).UTC()
		buf.Reset()
		buf.WriteString(`{"Records":[`)
		for j := range records {
			if j > 0 {
				buf.WriteByte(',')
			}
			// Events of the five minutes before delivery, in the order CloudTrail
			// writes them: roughly, not strictly, by time.
			t := delivered.Add(-5*time.Minute + time.Duration(j)*5*time.Minute/time.Duration(max(records, 1)) + time.Duration(g.rnd.IntN(20))*time.Second)
			if t.After(delivered) {
				t = delivered
			}
			if err := g.record(&buf, t, region); err != nil {
				return err
			}
		}
		buf.WriteString("]}")
		dir := filepath.Join(out, "AWSLogs", account, "CloudTrail", region, delivered.Format("2006/01/02"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", account, region, delivered.Format("20060102T1504Z"), g.id(16))
		n, err := writeGzip(filepath.Join(dir, name), buf.Bytes())
		if err != nil {
			return err
		}
		total += int64(records)
		raw += int64(buf.Len())
		compressed += n
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d files, %d records, %.1f MB JSON, %.1f MB gzip in %s\n",
		files, total, float64(raw)/1e6, float64(compressed)/1e6, out)
	return nil
}

func writeGzip(path string, b []byte) (int64, error) {
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	if _, err := zw.Write(b); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(zb.Len()), os.WriteFile(path, zb.Bytes(), 0o644)
}

type generator struct{ rnd *rand.Rand }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *generator) id(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.rnd.IntN(len(alnum))]
	}
	return string(b)
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rnd.IntN(16)]
	}
	return string(b)
}

func (g *generator) uuid() string {
	return g.hex(8) + "-" + g.hex(4) + "-" + g.hex(4) + "-" + g.hex(4) + "-" + g.hex(12)
}

func (g *generator) upper(n int) string {
	const up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = up[g.rnd.IntN(len(up))]
	}
	return string(b)
}

// call is one kind of API call in the corpus.
type call struct {
	source, name string
	weight       int
	readOnly     bool
	params       func(g *generator, region string) (params any, resources []resource)
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
}

var buckets = []string{"app-artifacts-prod", "customer-uploads-prod"}

var calls = []call{
	{"s3.amazonaws.com", "GetObject", 30, true, func(g *generator, region string) (any, []resource) {
		b := buckets[g.rnd.IntN(len(buckets))]
		key := fmt.Sprintf("data/%s/part-%02d.json", b[:3], g.rnd.IntN(40))
		return map[string]any{"bucketName": b, "Host": b + ".s3." + region + ".amazonaws.com", "key": key},
			[]resource{{"arn:aws:s3:::" + b + "/" + key, "", "AWS::S3::Object"}, {"arn:aws:s3:::" + b, account, "AWS::S3::Bucket"}}
	}},
	{"s3.amazonaws.com", "PutObject", 10, false, func(g *generator, region string) (any, []resource) {
		b := buckets[g.rnd.IntN(len(buckets))]
		key := fmt.Sprintf("data/%s/part-%02d.json", b[:3], g.rnd.IntN(40))
		return map[string]any{"bucketName": b, "Host": b + ".s3." + region + ".amazonaws.com", "key": key, "x-amz-server-side-encryption": "aws:kms"},
			[]resource{{"arn:aws:s3:::" + b + "/" + key, "", "AWS::S3::Object"}, {"arn:aws:s3:::" + b, account, "AWS::S3::Bucket"}}
	}},
	{"sqs.amazonaws.com", "SendMessage", 12, false, func(g *generator, region string) (any, []resource) {
		q := "https://sqs." + region + ".amazonaws.com/" + account + "/orders"
		return map[string]any{"queueUrl": q, "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS"}, nil
	}},
	{"sqs.amazonaws.com", "ReceiveMessage", 12, true, func(g *generator, region string) (any, []resource) {
		q := "https://sqs." + region + ".amazonaws.com/" + account + "/orders"
		return map[string]any{"queueUrl": q, "maxNumberOfMessages": 10, "waitTimeSeconds": 20}, nil
	}},
	{"dynamodb.amazonaws.com", "GetItem", 10, true, func(g *generator, region string) (any, []resource) {
		return map[string]any{"tableName": "sessions", "key": map[string]string{"id": "HIDDEN_DUE_TO_SECURITY_REASONS"}, "consistentRead": false}, nil
	}},
	{"kms.amazonaws.com", "Decrypt", 10, true, func(g *generator, region string) (any, []resource) {
		key := "arn:aws:kms:" + region + ":" + account + ":key/" + "3f1c2a8e-8a43-4b6e-9d1c-0a7e5b2f4c11"
		return map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]string{"aws:s3:arn": "arn:aws:s3:::" + buckets[0]}},
			[]resource{{key, account, "AWS::KMS::Key"}}
	}},
	{"ec2.amazonaws.com", "DescribeInstances", 5, true, func(g *generator, region string) (any, []resource) {
		return map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:Name", "valueSet": map[string]any{"items": []any{map[string]string{"value": "web-*"}}}}}}}, nil
	}},
	{"logs.amazonaws.com", "PutLogEvents", 6, false, func(g *generator, region string) (any, []resource) {
		return map[string]any{"logGroupName": "/aws/lambda/order-handler", "logStreamName": "2017/12/04/[$LATEST]" + g.hex(32)}, nil
	}},
	{"lambda.amazonaws.com", "Invoke", 3, false, func(g *generator, region string) (any, []resource) {
		fn := "arn:aws:lambda:" + region + ":" + account + ":function:order-handler"
		return map[string]any{"functionName": fn, "invocationType": "Event"}, []resource{{fn, account, "AWS::Lambda::Function"}}
	}},
	{"sts.amazonaws.com", "GetCallerIdentity", 2, true, func(g *generator, region string) (any, []resource) { return nil, nil }},
}

var userAgents = []string{
	"aws-sdk-java/1.11.238 Linux/4.9.62-21.56.amzn1.x86_64 OpenJDK_64-Bit_Server_VM/25.151-b12 java/1.8.0_151",
	"Boto3/1.4.7 Python/3.6.2 Linux/4.9.62-21.56.amzn1.x86_64 exec-env/AWS_Lambda_python3.6 Botocore/1.7.48",
	"aws-cli/1.14.2 Python/2.7.12 Linux/4.4.0-1041-aws botocore/1.8.6",
	"[S3Console/0.4]",
}

func (g *generator) pick() call {
	total := 0
	for _, c := range calls {
		total += c.weight
	}
	n := g.rnd.IntN(total)
	for _, c := range calls {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return calls[0]
}

func (g *generator) identity(t time.Time) map[string]any {
	switch n := g.rnd.IntN(10); {
	case n < 7:
		role := []string{"app-server", "order-processor", "deploy"}[n%3]
		session := "i-0" + g.hex(16)
		return map[string]any{
			"type":        "AssumedRole",
			"principalId": "AROAJ" + g.upper(16) + ":" + session,
			"arn":         "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
			"accountId":   account,
			"accessKeyId": "ASIA" + g.upper(16),
			"sessionContext": map[string]any{
				"attributes": map[string]string{"mfaAuthenticated": "false", "creationDate": t.Add(-time.Duration(g.rnd.IntN(3600)) * time.Second).Format(time.RFC3339)},
				"sessionIssuer": map[string]string{
					"type": "Role", "principalId": "AROAJ" + "ABCDEFGHIJKLMNOP"[:16], "arn": "arn:aws:iam::" + account + ":role/" + role,
					"accountId": account, "userName": role,
				},
			},
		}
	case n < 9:
		user := []string{"alice", "ci-bot"}[n%2]
		return map[string]any{
			"type": "IAMUser", "principalId": "AIDAJ" + "QWERTYUIOPASDFGH", "arn": "arn:aws:iam::" + account + ":user/" + user,
			"accountId": account, "accessKeyId": "AKIAI" + g.upper(15), "userName": user,
		}
	default:
		return map[string]any{"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
	}
}

// record writes one record. Keys are in CloudTrail's order, so it is built by hand rather
// than from a map.
func (g *generator) record(buf *bytes.Buffer, t time.Time, region string) error {
	c := g.pick()
	params, resources := c.params(g, region)
	id := g.identity(t)
	ip := fmt.Sprintf("10.%d.%d.%d", g.rnd.IntN(256), g.rnd.IntN(256), g.rnd.IntN(256))
	if id["type"] == "AWSService" {
		ip = "lambda.amazonaws.com"
	}
	fields := []struct {
		k string
		v any
	}{
		{"eventVersion", "1.05"},
		{"userIdentity", id},
		{"eventTime", t.Format(time.RFC3339)},
		{"eventSource", c.source},
		{"eventName", c.name},
		{"awsRegion", region},
		{"sourceIPAddress", ip},
		{"userAgent", userAgents[g.rnd.IntN(len(userAgents))]},
	}
	if g.rnd.IntN(50) == 0 {
		fields = append(fields, struct {
			k string
			v any
		}{"errorCode", "AccessDenied"}, struct {
			k string
			v any
		}{"errorMessage", "User: " + fmt.Sprint(id["arn"]) + " is not authorized to perform: " + strings.Split(c.source, ".")[0] + ":" + c.name})
	}
	fields = append(fields, []struct {
		k string
		v any
	}{
		{"requestParameters", params},
		{"responseElements", nil},
		{"requestID", g.upper(16)},
		{"eventID", g.uuid()},
		{"readOnly", c.readOnly},
	}...)
	if resources != nil {
		fields = append(fields, struct {
			k string
			v any
		}{"resources", resources})
	}
	fields = append(fields, []struct {
		k string
		v any
	}{
		{"eventType", "AwsApiCall"},
		{"managementEvent", c.source != "s3.amazonaws.com"},
		{"recipientAccountId", account},
		{"eventCategory", "Management"},
	}...)
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		v, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return nil
}
