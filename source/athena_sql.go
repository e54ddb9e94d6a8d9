package source

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// Table names an Athena table: the data catalog (AwsDataCatalog unless given), the
// database and the table.
type Table struct {
	Catalog, Database, Name string
}

// DefaultCatalog is the Glue data catalog Athena uses unless the table names another.
const DefaultCatalog = "AwsDataCatalog"

// ErrTable is reported for a table name that is not [CATALOG.]DATABASE.TABLE.
var ErrTable = errors.New("not an Athena table name [CATALOG.]DATABASE.TABLE")

var (
	// Athena's databases, tables and columns are lower-case letters, digits and
	// underscores (upper case is folded); the SQL quotes them, so that a reserved word or a
	// leading digit is still one name.
	athenaNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)
	// A data catalog name is letters, digits, hyphens, underscores and @; it is not written
	// into the SQL, only into the query's execution context.
	athenaCatalogPattern = regexp.MustCompile(`^[A-Za-z0-9_@-]{1,256}$`)
)

// ParseTable parses "[CATALOG.]DATABASE.TABLE". Database and table are folded to lower
// case, as Athena does.
func ParseTable(s string) (Table, error) {
	parts := strings.Split(s, ".")
	var t Table
	switch len(parts) {
	case 2:
		t = Table{Catalog: DefaultCatalog, Database: parts[0], Name: parts[1]}
	case 3:
		t = Table{Catalog: parts[0], Database: parts[1], Name: parts[2]}
	default:
		return Table{}, fmt.Errorf("table %q: %w", s, ErrTable)
	}
	t.Database, t.Name = strings.ToLower(t.Database), strings.ToLower(t.Name)
	if !athenaCatalogPattern.MatchString(t.Catalog) {
		return Table{}, fmt.Errorf("table %q: the catalog may hold only letters, digits, '_', '-' and '@': %w", s, ErrTable)
	}
	for _, n := range []string{t.Database, t.Name} {
		if !athenaNamePattern.MatchString(n) {
			return Table{}, fmt.Errorf("table %q: %q may hold only letters, digits and '_': %w", s, n, ErrTable)
		}
	}
	return t, nil
}

func (t Table) String() string { return t.Catalog + "." + t.Database + "." + t.Name }

// sqlName is the quoted DATABASE.TABLE of the FROM clause.
func (t Table) sqlName() (string, error) {
	if !athenaNamePattern.MatchString(t.Database) || !athenaNamePattern.MatchString(t.Name) {
		return "", fmt.Errorf("table %q: %w", t.Database+"."+t.Name, ErrTable)
	}
	return `"` + t.Database + `"."` + t.Name + `"`, nil
}

// PartitionScheme is how a CloudTrail table is partitioned by date, which decides the
// partition predicates of the query.
type PartitionScheme int

const (
	// PartitionNone: no date partitions; every query scans the whole table.
	PartitionNone PartitionScheme = iota
	// PartitionTimestamp: a string partition "timestamp" of the form yyyy/MM/dd, as
	// partition projection defines it (single-account or organisation tables).
	PartitionTimestamp
	// PartitionYearMonthDay: string partitions "year", "month" and "day" (zero-padded, as
	// in the log files' S3 keys), with "region" and possibly "account".
	PartitionYearMonthDay
)

var partitionSchemeNames = []string{"none", "timestamp", "year-month-day"}

func (p PartitionScheme) String() string {
	if p >= 0 && int(p) < len(partitionSchemeNames) {
		return partitionSchemeNames[p]
	}
	return fmt.Sprintf("PartitionScheme(%d)", int(p))
}

// ParsePartitionScheme parses "none", "timestamp" or "year-month-day".
func ParsePartitionScheme(s string) (PartitionScheme, error) {
	for i, n := range partitionSchemeNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return PartitionScheme(i), nil
		}
	}
	return 0, fmt.Errorf("unknown partition scheme %q; use timestamp, year-month-day or none", s)
}

// athenaRowColumns are the columns of the rows query, enough to rebuild the record (see
// rowRecordJSON); the names are those of AWS's documented CloudTrail table.
var athenaRowColumns = slices.Concat(
	[]sqlColumn{{"eventversion", "eventversion"}},
	identityColumns,
	callColumns,
	[]sqlColumn{
		{"requestparameters", "requestparameters"},
		{"responseelements", "responseelements"},
		{"eventid", "eventid"},
		{"readonly", "readonly"},
		{"resourcesjson", "json_format(CAST(resources AS JSON))"},
		{"eventtype", "eventtype"},
		{"recipientaccountid", "recipientaccountid"},
	})

// athenaGroupColumns are the columns the aggregating query groups by: every field that
// the event → IAM mapping, the resource scoping and the filter read. Fields that differ
// from call to call without changing a permission (eventID, the session's principal ID
// and access key, source IP, user agent, error message) are left out, so that repeated
// calls collapse into one group.
var athenaGroupColumns = slices.Concat(
	groupCallColumns,
	groupIdentityColumns,
	[]sqlColumn{
		{"requestparameters", "requestparameters"},
		{"responseelements", "responseelements"},
		{"resourcesjson", "json_format(CAST(resources AS JSON))"},
	})

// athenaTimeExpr is the eventtime string cut to its seconds, with a T between date and
// time, so that it compares as the time it stands for with athenaTimeLayout literals:
// CloudTrail writes "2026-03-01T12:00:00Z", but a fraction ("…:00.5Z" sorts before
// "…:00Z") or an export's space for the T would not compare right as written. The seconds
// are exact enough: the window is widened to whole seconds and cut exactly locally.
const (
	athenaTimeExpr   = "replace(substr(eventtime, 1, 19), ' ', 'T')"
	athenaTimeLayout = "2006-01-02T15:04:05"
)

// buildAthenaSQL builds the query over table for the filter f (window included). With
// grouped, it groups the matching events by athenaGroupColumns and returns each group's
// size and first and last event time.
func buildAthenaSQL(table Table, scheme PartitionScheme, f *cloudtrail.Filter, grouped bool) (string, error) {
	from, err := table.sqlName()
	if err != nil {
		return "", err
	}
	q := querySpec{from: from, rows: athenaRowColumns, timeExpr: athenaTimeExpr, timeLayout: athenaTimeLayout, conds: partitionConds(scheme, f)}
	if grouped {
		q.groups = athenaGroupColumns
	}
	return q.build(f)
}

// partitionConds returns the partition predicates for the window of f. A log file's
// partition is the date it was delivered, which is the date of its events or later
// (CloudTrail delivers within minutes, a few hours at worst): the partition window runs
// from the day of the window's start to the day after its end.
func partitionConds(scheme PartitionScheme, f *cloudtrail.Filter) []string {
	var first, last time.Time
	if !f.From.IsZero() {
		first = f.From.UTC()
	}
	if !f.To.IsZero() {
		last = f.To.UTC().AddDate(0, 0, 1)
	}
	var conds []string
	switch scheme {
	case PartitionTimestamp:
		if !first.IsZero() {
			conds = append(conds, `"timestamp" >= '`+first.Format("2006/01/02")+"'")
		}
		if !last.IsZero() {
			conds = append(conds, `"timestamp" <= '`+last.Format("2006/01/02")+"'")
		}
	case PartitionYearMonthDay:
		// The year bounds are simple ranges that the catalog can prune with; the
		// concatenation cuts the days exactly.
		const day = `"year" || '/' || "month" || '/' || "day"`
		if !first.IsZero() {
			conds = append(conds, `"year" >= '`+first.Format("2006")+"'", day+" >= '"+first.Format("2006/01/02")+"'")
		}
		if !last.IsZero() {
			conds = append(conds, `"year" <= '`+last.Format("2006")+"'", day+" <= '"+last.Format("2006/01/02")+"'")
		}
	}
	return conds
}
