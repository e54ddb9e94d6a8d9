// Package athenatest checks the SQL of the Athena source on a real SQL engine, DuckDB: it
// loads CloudTrail log files into a table of the shape AWS documents for Athena, defines
// the few Trino functions the SQL uses that DuckDB lacks as macros, runs the source's
// queries through an in-process implementation of the Athena API, and compares the
// policies with those the log files give directly.
//
// It is a module of its own because DuckDB needs cgo; the main module's tests stay free
// of it. Run it with `cd internal/athenatest && go test ./...`.
package athenatest
