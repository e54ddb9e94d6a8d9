package main

import (
	"fmt"
	"strings"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/guess"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
	"github.com/urfave/cli/v2"
)

// maxPolicySize bounds what guess reads from stdin; IAM policies are a few KB.
const maxPolicySize = 32 << 20

func guessCommand() *cli.Command {
	return &cli.Command{
		Name:  "guess",
		Usage: "extend a policy on stdin with related actions",
		Description: `Reads an IAM policy document from stdin and prints it with, after each statement,
a statement that allows related actions on "*": for s3:GetObject, the existing actions
among Describe/Create/Delete/Update/Detach/Attach/List/Put/Get + "Object" (or "Objects").
Only actions that exist in the AWS service reference are proposed, each once.`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "only", Usage: "only guess actions with the given prefix, e.g. Describe (can be passed multiple times)"},
			&cli.BoolFlag{Name: "keep-resources", Value: true, Usage: "allow guessed actions on the statement's resources when their resource types accept them, the others on \"*\"; --keep-resources=false puts every guess on \"*\" as the original tool did"},
		},
		Action: runGuess,
	}
}

func runGuess(c *cli.Context) error {
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	only := c.StringSlice("only")
	for _, o := range only {
		if strings.TrimSpace(o) == "" {
			return usagef("--only needs a prefix such as Describe, Get or List")
		}
	}
	p, err := readPolicy(stdin(c, log), "stdin")
	if err != nil {
		return err
	}
	if p.Version != "" && !iam.KnownVersion(p.Version) {
		return fmt.Errorf("reading policy from stdin: Version %q is not an IAM policy language version; IAM accepts %s (current) or 2008-10-17", p.Version, iam.Version)
	}
	if unknown := unknownActions(p); len(unknown) > 0 {
		log.Warn(fmt.Sprintf("the policy names %d action(s) not in the AWS service reference: %s", len(unknown), strings.Join(unknown, ", ")))
	}
	out := trailscraper.Guess(p, only...)
	if !c.Bool("keep-resources") {
		out = guess.Extend(p, only...) // the original's form: every guess on "*"
	}
	log.Debug("guessed related actions", "statements in", len(p.Statement), "statements out", len(out.Statement))
	return writePolicy(c.App.Writer, out)
}

// unknownActions returns the actions of p, without wildcards, that are not in the AWS
// service reference, in order of appearance and once each.
func unknownActions(p *iam.Policy) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range p.Statement {
		for _, list := range [][]iam.Action{st.Action, st.NotAction} {
			for _, a := range list {
				s := string(a)
				if strings.ContainsAny(s, "*?") || seen[s] {
					continue
				}
				seen[s] = true
				if _, ok := servicedefs.Canonical(s); !ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
