package source_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/source"
)

// The query a Lake source runs, with the filter pushed down; a value with a quote stays a
// string literal.
func ExampleLake_Query() {
	filter := cloudtrail.Filter{
		AssumedRoleARNs: []string{"arn:aws:iam::111122223333:role/o'brien"},
		EventSources:    []string{"s3.amazonaws.com"},
		Errors:          cloudtrail.ErrorsExclude,
	}
	// No client is needed to build the query; Records would use it.
	lake, err := source.NewLake(nil, "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", source.WithFilter(filter))
	if err != nil {
		fmt.Println(err)
		return
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sql, err := lake.Query(from, from.Add(24*time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Print from the FROM clause on; the column list is long.
	fmt.Println(sql[strings.Index(sql, "FROM "):])
	// Output:
	// FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
	// WHERE eventtime >= '2026-03-01 00:00:00'
	//     AND eventtime <= '2026-03-02 00:00:00'
	//     AND useridentity.type = 'AssumedRole'
	//     AND useridentity.sessioncontext.sessionissuer.arn IN ('arn:aws:iam::111122223333:role/o''brien')
	//     AND (eventsource IN ('s3.amazonaws.com'))
	//     AND (errorcode IS NULL OR errorcode = '')
	// ORDER BY eventtime, eventid
}

func ExampleParseEventDataStore() {
	eds, err := source.ParseEventDataStore("arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/EXAMPLE-f852")
	fmt.Println(eds.ID, eds.Region, eds.AccountID, err)
	_, err = source.ParseEventDataStore("x; DROP TABLE y")
	fmt.Println(err)
	// Output:
	// EXAMPLE-f852 eu-west-1 111122223333 <nil>
	// event data store "x; DROP TABLE y": not an event data store ID or ARN
}
