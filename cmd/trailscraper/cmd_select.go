package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"
)

// noRecordsHint is the original tool's message when nothing matched.
const noRecordsHint = "No records matching your criteria found! Did you use the right filters? Did you download the right logfiles? It might take about 15 minutes for events to turn up in CloudTrail logs."

func selectCommand() *cli.Command {
	return &cli.Command{
		Name:  "select",
		Usage: "print the CloudTrail records that match the filters",
		Description: `Reads the CloudTrail log files below --log-dir (or an AWS source) and prints the records
of the time window that pass the filters as {"Records": [...]} on one line, each record
as it was logged. From --log-dir they are ordered by log file timestamp, path and position
in the file; the CloudTrail API yields them newest first, CloudTrail Lake by event time.
Files and records that cannot be read are skipped with a warning.`,
		Flags:  sourceFlags(false),
		Action: runSelect,
	}
}

func runSelect(c *cli.Context) error {
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	recs, _, err := sourceRecords(c, log, false)
	if err != nil {
		return err
	}
	skips := &skipCounter{log: log}
	w := bufio.NewWriterSize(c.App.Writer, 1<<20)
	n := 0
	if _, err := w.WriteString(`{"Records": [`); err != nil {
		return err
	}
	var compact bytes.Buffer
	for r, err := range recs {
		if err != nil {
			if err := skips.check(err); err != nil {
				return err
			}
			continue
		}
		if n > 0 {
			w.WriteString(", ")
		}
		n++
		if _, err := w.Write(oneLine(r.Raw, &compact)); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	skips.summary()
	if n == 0 {
		log.Warn(noRecordsHint)
	}
	return nil
}

// oneLine returns raw, or when it spans lines (a pretty-printed log file), raw without the
// white space between its tokens. Strings, numbers and key order are never changed.
func oneLine(raw []byte, buf *bytes.Buffer) []byte {
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return raw
	}
	buf.Reset()
	if json.Compact(buf, raw) != nil {
		return raw // cannot happen for a decoded record; keep the bytes rather than lose them
	}
	return buf.Bytes()
}
