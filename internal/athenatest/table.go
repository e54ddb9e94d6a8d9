package athenatest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ctype is a column type of AWS's CloudTrail table: a string, a struct of named fields, an
// array of one element type, or a map of strings.
type ctype struct {
	kind   byte // 's' string, 'r' struct, 'a' array, 'm' map<string,string>
	fields []field
	elem   *ctype
}

type field struct {
	name string
	typ  *ctype
}

var str = &ctype{kind: 's'}

func strct(fields ...field) *ctype  { return &ctype{kind: 'r', fields: fields} }
func f(name string, t *ctype) field { return field{name, t} }

// cloudTrailColumns are the columns of the table "Querying AWS CloudTrail logs" in the
// Athena User Guide creates (CREATE EXTERNAL TABLE cloudtrail_logs …, with the
// hcatalog JsonSerDe): lower-case names, all STRING except useridentity, resources,
// addendum and tlsdetails.
var cloudTrailColumns = []field{
	f("eventversion", str),
	f("useridentity", strct(
		f("type", str), f("principalid", str), f("arn", str), f("accountid", str),
		f("invokedby", str), f("accesskeyid", str), f("username", str),
		f("onbehalfof", strct(f("userid", str), f("identitystorearn", str))),
		f("sessioncontext", strct(
			f("attributes", strct(f("mfaauthenticated", str), f("creationdate", str))),
			f("sessionissuer", strct(f("type", str), f("principalid", str), f("arn", str), f("accountid", str), f("username", str))),
			f("ec2roledelivery", str),
			f("webidfederationdata", strct(f("federatedprovider", str), f("attributes", &ctype{kind: 'm'}))),
		)),
	)),
	f("eventtime", str),
	f("eventsource", str),
	f("eventname", str),
	f("awsregion", str),
	f("sourceipaddress", str),
	f("useragent", str),
	f("errorcode", str),
	f("errormessage", str),
	f("requestparameters", str),
	f("responseelements", str),
	f("additionaleventdata", str),
	f("requestid", str),
	f("eventid", str),
	f("resources", &ctype{kind: 'a', elem: strct(f("arn", str), f("accountid", str), f("type", str))}),
	f("eventtype", str),
	f("apiversion", str),
	f("readonly", str),
	f("recipientaccountid", str),
	f("serviceeventdetails", str),
	f("sharedeventid", str),
	f("vpcendpointid", str),
	f("vpcendpointaccountid", str),
	f("eventcategory", str),
	f("addendum", strct(f("reason", str), f("updatedfields", str), f("originalrequestid", str), f("originaleventid", str))),
	f("sessioncredentialfromconsole", str),
	f("edgedevicedetails", str),
	f("tlsdetails", strct(f("tlsversion", str), f("ciphersuite", str), f("clientprovidedhostheader", str))),
}

// partitionColumns are the partition columns of every documented layout at once (an
// organisation trail's account and region, the projected timestamp, the classic
// year/month/day), so that one table serves every partition scheme.
var partitionColumns = []string{"account", "region", "timestamp", "year", "month", "day"}

// duckType is the DuckDB type of t.
func duckType(t *ctype) string {
	switch t.kind {
	case 'r':
		parts := make([]string, len(t.fields))
		for i, fl := range t.fields {
			parts[i] = `"` + fl.name + `" ` + duckType(fl.typ)
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	case 'a':
		return duckType(t.elem) + "[]"
	case 'm':
		return "MAP(VARCHAR, VARCHAR)"
	}
	return "VARCHAR"
}

// convert turns a JSON value of a record into what the SerDe makes of it for a column of
// type t: strings stay strings, any other JSON in a STRING column becomes its JSON text
// (so requestparameters holds the object's JSON), struct fields are matched case-
// insensitively and unknown fields dropped.
func convert(raw json.RawMessage, t *ctype) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch t.kind {
	case 's':
		if raw[0] == '"' {
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err
		}
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	case 'm':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		out := map[string]any{}
		for k, v := range m {
			s, err := convert(v, str)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	case 'a':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, err
		}
		out := make([]any, len(elems))
		for i, e := range elems {
			v, err := convert(e, t.elem)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return convertFields(m, t.fields)
}

func convertFields(m map[string]json.RawMessage, fields []field) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		for _, fl := range fields {
			if strings.EqualFold(k, fl.name) {
				c, err := convert(v, fl.typ)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				out[fl.name] = c
			}
		}
	}
	return out, nil
}

// logPath matches the S3 key of a CloudTrail log file, whose folders are the partitions.
var logPath = regexp.MustCompile(`AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/([a-z0-9-]+)/([0-9]{4})/([0-9]{2})/([0-9]{2})/[^/]+\.json(\.gz)?$`)

// logRecord is one record and the partition values of the log file it is in.
type logRecord struct {
	raw                               json.RawMessage
	account, region, year, month, day string // "" for NULL
}

// readLogDir returns the records of every log file under dir, with the partitions its S3
// key gives.
func readLogDir(dir string) ([]logRecord, error) {
	var out []logRecord
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		m := logPath.FindStringSubmatch(filepath.ToSlash(path))
		if m == nil {
			return nil
		}
		recs, err := readLogFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, raw := range recs {
			out = append(out, logRecord{raw: raw, account: m[1], region: m[2], year: m[3], month: m[4], day: m[5]})
		}
		return nil
	})
	return out, err
}

// readJSONL returns the records of a file of one record a line, partitioned as the log
// files that held them would be: by recipient account, region and event day.
func readJSONL(path string) ([]logRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []logRecord
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r struct{ RecipientAccountID, AWSRegion, EventTime string }
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
		lr := logRecord{raw: line, account: r.RecipientAccountID, region: r.AWSRegion}
		if len(r.EventTime) >= 10 {
			lr.year, lr.month, lr.day = r.EventTime[0:4], r.EventTime[5:7], r.EventTime[8:10]
		}
		out = append(out, lr)
	}
	return out, nil
}

// loadRecords creates schema.table in db with the documented columns and the partition
// columns, and loads recs into it.
func loadRecords(ctx context.Context, db *sql.DB, recs []logRecord, schema, table string) error {
	tmp, err := os.CreateTemp("", "cloudtrail-*.ndjson")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	for i, lr := range recs {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(lr.raw, &top); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		row, err := convertFields(top, cloudTrailColumns)
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		for k, v := range map[string]string{"account": lr.account, "region": lr.region, "year": lr.year, "month": lr.month, "day": lr.day} {
			if v != "" {
				row[k] = v
			}
		}
		if lr.year != "" {
			row["timestamp"] = lr.year + "/" + lr.month + "/" + lr.day
		}
		line, err := json.Marshal(row)
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	var defs, spec []string
	for _, c := range cloudTrailColumns {
		defs = append(defs, `"`+c.name+`" `+duckType(c.typ))
		spec = append(spec, `'`+c.name+`': '`+strings.ReplaceAll(duckType(c.typ), `'`, `''`)+`'`)
	}
	for _, p := range partitionColumns {
		defs = append(defs, `"`+p+`" VARCHAR`)
		spec = append(spec, `'`+p+`': 'VARCHAR'`)
	}
	stmts := []string{
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + schema + `.` + table + ` (` + strings.Join(defs, ", ") + `)`,
		`INSERT INTO ` + schema + `.` + table + ` SELECT * FROM read_json('` + tmp.Name() + `', format = 'newline_delimited', columns = {` + strings.Join(spec, ", ") + `})`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.80s…: %w", s, err)
		}
	}
	return nil
}

// readLogFile returns the records of a CloudTrail log file.
func readLogFile(path string) ([]json.RawMessage, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	var doc struct {
		Records []json.RawMessage
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	return doc.Records, nil
}

// trinoMacros define the functions of the Athena SQL that DuckDB lacks or names
// differently. Everything else the source writes (struct field access, CAST(… AS JSON),
// LIKE … ESCAPE, IN, ||, count, min, max, quoted identifiers) DuckDB runs as Trino does.
var trinoMacros = []string{
	// Trino: json_format(JSON) → varchar, the JSON text.
	`CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
}
