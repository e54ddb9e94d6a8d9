package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/trailscraper/trailscraper/mapping"

	"github.com/urfave/cli/v2"
)

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:      "coverage",
		Usage:     "report how records in a JSON-lines file map to IAM actions",
		ArgsUsage: "FILE.jsonl|-",
		Description: `Reads CloudTrail records, one JSON object a line, from FILE (or stdin for -) and
prints how many records and distinct (eventSource, eventName) pairs map to actions of
the AWS service reference, need no permission, or cannot be mapped (listed), and which
written actions belong to services missing from the embedded snapshot.
Lines that are not records are skipped with a warning and counted.`,
		Action: runCoverage,
	}
}

func runCoverage(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("coverage needs one FILE.jsonl argument (or - for stdin)")
	}
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	name := c.Args().First()
	var in io.Reader = c.App.Reader
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	} else {
		name, in = "stdin", stdin(c, log)
	}
	cov := mapping.NewCoverage()
	br := bufio.NewReaderSize(in, 1<<20)
	skipped := 0
	for lineNo := 1; ; lineNo++ {
		line, tooLong, err := readLine(br, maxLine)
		if tooLong {
			skipped++
			log.Warn(fmt.Sprintf("skipped: %s line %d: longer than %d bytes", name, lineNo, maxLine))
		} else if len(bytes.TrimSpace(line)) > 0 {
			ignored, perr := cov.AddJSON(line)
			switch {
			case perr != nil:
				skipped++
				log.Warn(fmt.Sprintf("skipped: %s line %d: %v", name, lineNo, perr))
			case ignored:
				log.Debug(fmt.Sprintf("%s line %d: eventTime not understood; mapped without it", name, lineNo))
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
	}
	if skipped > 0 {
		log.Warn("skipped lines that are not records", "count", skipped)
	}
	return cov.Report().WriteText(c.App.Writer)
}

// maxLine is the longest record line coverage reads; longer lines are skipped.
const maxLine = 16 << 20

// readLine reads one line of at most max bytes. A longer line is consumed and reported as
// tooLong without keeping it. err is io.EOF after the last line.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err != bufio.ErrBufferFull {
			return line, tooLong, err
		}
	}
}
