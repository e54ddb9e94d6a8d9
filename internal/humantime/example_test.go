package humantime_test

import (
	"fmt"
	"time"

	"github.com/trailscraper/trailscraper/internal/humantime"
)

func ExampleParse() {
	now := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	for _, s := range []string{"now", "2 hours ago", "one day ago", "-1days", "2017-01-01", "2017-12-11T15:04:51.5+01:00"} {
		t, err := humantime.Parse(s, now)
		fmt.Println(t.UTC().Format(time.RFC3339Nano), err)
	}
	_, err := humantime.Parse("2017-13-01", now)
	fmt.Println(err)
	// Output:
	// 2017-12-11T15:04:51Z <nil>
	// 2017-12-11T13:04:51Z <nil>
	// 2017-12-10T15:04:51Z <nil>
	// 2017-12-10T15:04:51Z <nil>
	// 2017-01-01T00:00:00Z <nil>
	// 2017-12-11T14:04:51.5Z <nil>
	// cannot read "2017-13-01" as a date or time; use e.g. 2017-01-01, 2017-01-01T10:00:00Z or 2017-01-01 10:00:00+02:00
}
