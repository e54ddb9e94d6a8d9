// Package athenatest checks the SQL of the Athena source on a real SQL engine, DuckDB: it
// loads CloudTrail log files into a table of the shape AWS documents for Athena, defines
// the few Trino functions the SQL uses that DuckDB lacks as macros, runs the source's
// queries through an in-process implementation of the Athena API, and compares the
// policies with those the log files give directly.
//
// The records are examples/logs, the shared corpus of real records (../shared/corpus,
// when it is there) and, with -corpus DIR, a directory of log files such as
// internal/gencorpus writes. Each test logs how many records matched and how many rows the
// rows and grouping queries returned.
//
// It is a module of its own because DuckDB needs cgo; the main module's tests stay free
// of it. Run it with `cd internal/athenatest && go test ./...` (-mod=mod when the main
// module has gained a dependency since go.sum here was written; .ci/run does that).
package athenatest
