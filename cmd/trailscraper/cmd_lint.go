package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/lint"
	"github.com/urfave/cli/v2"
)

func lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check an IAM policy for mistakes",
		ArgsUsage: "[FILE]",
		Description: `Reads an IAM policy document from FILE (or stdin) and prints one finding per line:
"statement N: SEVERITY CODE: message". Codes: UNKNOWN_ACTION, UNKNOWN_SERVICE,
RESOURCE_MISMATCH (error), PASS_ROLE_WITH_STAR (security), POLICY_SIZE (with --max-size),
INVALID_VERSION, DUPLICATE_SID, INVALID_SID (error), REDUNDANT_ACTION (suggestion).
Exits 1 when there is an error or security finding (or one at --fail-on or above).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "print the findings as `FORMAT`: text, or json (an array of {code, severity, statement, action, resource, message})"},
			&cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 on findings of `SEVERITY` or worse: error (error and security), warning, suggestion"},
			maxSizeFlag(),
		},
		Action: runLint,
	}
}

func runLint(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usagef("--format %q: want text or json", format)
	}
	failOn := lint.Severity(c.String("fail-on"))
	switch failOn {
	case lint.Error, lint.Warning, lint.Suggestion:
	default:
		return usagef("--fail-on %q: want error, warning or suggestion", failOn)
	}
	limit, err := parseMaxSize(c)
	if err != nil {
		return err
	}
	if c.NArg() > 1 {
		return usagef("lint takes at most one FILE, got %d arguments", c.NArg())
	}
	var in io.Reader
	src := "stdin"
	if c.NArg() == 0 {
		in = stdin(c, newLogger(c.App.ErrWriter, c.Bool("verbose")))
	} else {
		f, err := os.Open(c.Args().First())
		if err != nil {
			return fmt.Errorf("reading policy: %w", err)
		}
		defer f.Close()
		in, src = f, c.Args().First()
	}
	p, err := readPolicy(in, src)
	if err != nil {
		return err
	}
	fs := lint.Check(p, lint.WithMaxSize(limit))
	if format == "json" {
		if fs == nil {
			fs = []lint.Finding{}
		}
		b, err := json.MarshalIndent(fs, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "%s\n", b)
	} else {
		for _, f := range fs {
			fmt.Fprintln(c.App.Writer, f)
		}
	}
	failing := 0
	for _, f := range fs {
		if f.Severity.Rank() <= failOn.Rank() {
			failing++
		}
	}
	if failing > 0 {
		return exitError{code: 1, err: fmt.Errorf("%d of %d finding(s) at severity %s or worse", failing, len(fs), failOn)}
	}
	return nil
}

// readPolicy reads and parses one policy document of at most maxPolicySize bytes from r,
// naming src in errors.
func readPolicy(r io.Reader, src string) (*iam.Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("reading policy from %s: %w", src, err)
	}
	if len(data) > maxPolicySize {
		return nil, fmt.Errorf("reading policy from %s: larger than %d MiB", src, maxPolicySize>>20)
	}
	p, err := iam.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading policy from %s: %w", src, err)
	}
	return p, nil
}
