package source_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/source"
)

// The grouping query that generate runs over an organisation trail's table partitioned by
// account, region and timestamp: the partitions of the window (one day past its end, for
// late deliveries), the window, and the filter pushed down.
func ExampleAthena_GroupQuery() {
	filter := cloudtrail.Filter{
		AssumedRoleARNs: []string{"arn:aws:iam::111122223333:role/o'brien"},
		Errors:          cloudtrail.ErrorsExclude,
	}
	// With the partition scheme given, no client is needed to build the query; Groups and
	// Records use it, and without the scheme GroupQuery asks Athena for the table's keys.
	athena, err := source.NewAthena(nil, "cloudtrail.org_logs",
		source.WithPartitionScheme(source.PartitionTimestamp), source.WithFilter(filter))
	if err != nil {
		fmt.Println(err)
		return
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sql, err := athena.GroupQuery(context.Background(), from, from.Add(24*time.Hour-time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Print from the FROM clause to the GROUP BY; the column lists are long.
	fmt.Println(sql[strings.Index(sql, "FROM "):strings.Index(sql, "\nGROUP BY")])
	// Output:
	// FROM "cloudtrail"."org_logs"
	// WHERE "timestamp" >= '2026/03/01'
	//     AND "timestamp" <= '2026/03/02'
	//     AND replace(substr(eventtime, 1, 19), ' ', 'T') >= '2026-03-01T00:00:00'
	//     AND replace(substr(eventtime, 1, 19), ' ', 'T') <= '2026-03-01T23:59:59'
	//     AND useridentity.type = 'AssumedRole'
	//     AND useridentity.sessioncontext.sessionissuer.arn IN ('arn:aws:iam::111122223333:role/o''brien')
	//     AND (errorcode IS NULL OR errorcode = '')
}

func ExampleParseTable() {
	t, err := source.ParseTable("AwsDataCatalog.CloudTrail.Org_Logs")
	fmt.Println(t.Catalog, t.Database, t.Name, err)
	_, err = source.ParseTable(`cloudtrail.logs"; DROP TABLE x`)
	fmt.Println(err)
	// Output:
	// AwsDataCatalog cloudtrail org_logs <nil>
	// table "cloudtrail.logs\"; DROP TABLE x": "logs\"; drop table x" may hold only letters, digits and '_': not an Athena table name [CATALOG.]DATABASE.TABLE
}

func ExampleScanCost() {
	fmt.Printf("$%.2f\n", source.ScanCost(200<<30)) // 200 GiB
	// Output: $0.98
}
