package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamapi "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/urfave/cli/v2"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/granted"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// exitUnused is the exit code of diff --fail-on-unused when something granted was unused.
const exitUnused = 3

func diffCommand() *cli.Command {
	const cat = "Granted policies (IAM: standard AWS configuration, AWS_PROFILE, AWS_ENDPOINT_URL_IAM)"
	return &cli.Command{
		Name:  "diff",
		Usage: "compare what a principal's IAM policies grant with what the CloudTrail records show it used",
		Description: `Reads records as generate does (stdin, --log-dir, --use-cloudtrail-api, --lake-event-data-store),
maps them to IAM actions as generate does, and compares them with the actions the granted
policies allow: the policy documents of --policy, or the attached and inline policies (and
for a user its groups') of --role-name or --user-name, read through the IAM API.

Granted actions are the Allow statements' actions expanded against the AWS service reference
(wildcards, NotAction), minus those an unconditional Deny removes; a grant with a Condition is
marked conditional. Unused actions that CloudTrail logs only as data events (S3 object calls,
Lambda Invoke, DynamoDB item calls, ...) are marked: they may have been used without data
events being logged. Filter the records to the principal (--filter-assumed-role-arn,
--filter-principal) so that the used side is that principal's.

Exit codes: 0 done, 1 failure, 2 usage error, 3 with --fail-on-unused when a granted action was
not used.`,
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "policy", Usage: "a granted IAM policy document in `FILE` (repeatable)", Category: cat, TakesFile: true},
			&cli.StringFlag{Name: "role-name", Usage: "read the granted policies of the IAM role `NAME`", Category: cat},
			&cli.StringFlag{Name: "user-name", Usage: "read the granted policies of the IAM user `NAME` and its groups", Category: cat},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "`FORMAT` of the report: text or json; with --suggest, of the policy: json, terraform or cloudformation"},
			&cli.BoolFlag{Name: "suggest", Usage: "print, instead of the report, the granted policies trimmed to the used actions, as one policy (split to --max-size)"},
			&cli.StringFlag{Name: "name", Value: "trailscraper", Usage: "with --suggest: `NAME` of the Terraform data source or CloudFormation resource"},
			maxSizeFlag(),
			&cli.StringFlag{Name: "out-dir", Usage: "with --suggest: write one file per policy document into `DIR` instead of printing"},
			&cli.BoolFlag{Name: "fail-on-unused", Usage: "exit with code 3 when a granted action was not used"},
		}, sourceFlags(true)...),
		Action: runDiff,
	}
}

func runDiff(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("diff takes no arguments; give the granted policies with --policy, --role-name or --user-name")
	}
	files, role, user := nonEmpty(c.StringSlice("policy")), c.String("role-name"), c.String("user-name")
	switch {
	case len(files) == 0 && role == "" && user == "":
		return usagef("diff needs the granted policies: give --policy FILE, --role-name NAME or --user-name NAME")
	case role != "" && user != "":
		return usagef("--role-name and --user-name name different principals; give one of them")
	}
	format := c.String("format")
	switch {
	case c.Bool("suggest") && !c.IsSet("format"):
		if err := c.Set("format", "json"); err != nil {
			return err
		}
	case c.Bool("suggest"):
		if err := checkFormat(format); err != nil {
			return err
		}
	case format != "text" && format != "json":
		return usagef("--format %q: want text or json (or, with --suggest, json, terraform or cloudformation)", format)
	case c.IsSet("max-size") || c.IsSet("out-dir") || c.IsSet("name"):
		return usagef("--max-size, --name and --out-dir shape the policy --suggest prints; give --suggest")
	}
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))

	// The records first: their flags' usage errors and --lake-query-only end the command
	// before any IAM call. Nothing is read until AddAll.
	recs, err := generateRecords(c, log)
	if err != nil {
		return err
	}
	docs, err := grantedDocuments(c, files, role, user)
	if err != nil {
		return err
	}
	g := trailscraper.NewGenerator(trailscraper.WithLogger(log))
	err = g.AddAll(recs)
	summarizeSkipped(log, g.Skipped())
	if err != nil {
		return err
	}
	uses, err := g.Uses()
	if err != nil {
		return err
	}
	report := access.Compare(docs, uses)
	warnUnknown(log, report.Unknown)
	switch {
	case c.Bool("suggest"):
		err = writePolicies(c, log, access.Suggest(docs, uses))
	case format == "json":
		err = writeJSON(c.App.Writer, report)
	default:
		err = writeReport(c.App.Writer, report)
	}
	if err != nil {
		return err
	}
	if c.Bool("fail-on-unused") && len(report.Unused) > 0 {
		return exitError{code: exitUnused, err: fmt.Errorf("%d granted action(s) were not used (--fail-on-unused)", len(report.Unused))}
	}
	return nil
}

// grantedDocuments reads the policy files and fetches the principal's policies.
func grantedDocuments(c *cli.Context, files []string, role, user string) ([]access.Document, error) {
	var docs []access.Document
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--policy: %w", err)
		}
		p, err := iam.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("--policy %s: %w; fix the policy document (a JSON IAM policy)", f, err)
		}
		docs = append(docs, access.Document{Name: f, Policy: p})
	}
	if role == "" && user == "" {
		return docs, nil
	}
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	cfg, err := loadAWSConfig(c.Context, "", log)
	if errors.As(err, new(usageError)) {
		// No region configured: IAM is global, and its endpoint is in us-east-1.
		cfg, err = loadAWSConfig(c.Context, "us-east-1", log)
	}
	if err != nil && c.Context.Err() == nil {
		return nil, fmt.Errorf("%w; or give the policy documents with --policy", err)
	}
	if err != nil {
		return nil, err
	}
	client := iamapi.NewFromConfig(cfg)
	var fetched []access.Document
	if role != "" {
		fetched, err = granted.Role(c.Context, client, role)
	} else {
		fetched, err = granted.User(c.Context, client, user)
	}
	if err != nil {
		return nil, iamHint(err, role, user)
	}
	return append(docs, fetched...), nil
}

// iamHint adds to an error of the IAM API what to do about it.
func iamHint(err error, role, user string) error {
	flag, kind, name := "--role-name", "role", role
	calls := "iam:ListAttachedRolePolicies, iam:ListRolePolicies, iam:GetRolePolicy, iam:GetPolicy and iam:GetPolicyVersion"
	if user != "" {
		flag, kind, name = "--user-name", "user", user
		calls = "iam:ListAttachedUserPolicies, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListGroupsForUser, iam:ListAttachedGroupPolicies, iam:ListGroupPolicies, iam:GetGroupPolicy, iam:GetPolicy and iam:GetPolicyVersion"
	}
	var ae smithy.APIError
	var pe *iam.ParseError
	switch {
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity":
		return fmt.Errorf("%w; check %s %s and that the AWS credentials are for the account the %s is in", err, flag, name, kind)
	case errors.As(err, &ae) && (ae.ErrorCode() == "AccessDenied" || ae.ErrorCode() == "AccessDeniedException"):
		return fmt.Errorf("%w; the AWS credentials need %s (or give the policy documents with --policy)", err, calls)
	case errors.As(err, &pe):
		return fmt.Errorf("%w; IAM returned a policy document trailscraper cannot read, please report it", err)
	case errors.As(err, new(*aws.RequestCanceledError)):
		return err
	case strings.Contains(err.Error(), "get credentials") || strings.Contains(err.Error(), "retrieve credentials"):
		return fmt.Errorf("no AWS credentials: %w; configure credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, aws sso login) or give the policy documents with --policy", err)
	}
	return err
}

// warnUnknown logs one warning naming the action patterns of the granted policies that no
// known action matches.
func warnUnknown(log *slog.Logger, unknown []access.UnknownAction) {
	if len(unknown) == 0 {
		return
	}
	parts := make([]string, len(unknown))
	for i, u := range unknown {
		parts[i] = u.String()
	}
	log.Warn(fmt.Sprintf("%d action(s) in the granted policies match no action in the AWS service reference (a typo, or newer than trailscraper's data): %s",
		len(unknown), strings.Join(parts, ", ")))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeReport prints the report as text: a summary line, then the sections used, unused,
// not granted and unused resources, each sorted. A service all of whose actions are unused
// (and none a data event) is one line, "ec2:*  all 700 actions"; the JSON lists each.
func writeReport(w io.Writer, r *access.Report) error {
	bw := bufio.NewWriter(w)
	data := 0
	for _, u := range r.Unused {
		if u.DataEvent {
			data++
		}
	}
	fmt.Fprintf(bw, "%d action(s) granted: %d used, %d unused (%d logged only as data events); %d used but not granted\n",
		r.Granted, len(r.Used), len(r.Unused), data, len(r.NotGranted))
	// Each section aligns its notes after its own longest action, up to a column of 40.
	width := 0
	widest := func(n int, action func(i int) iam.Action) {
		width = 0
		for i := range n {
			width = max(width, min(len(action(i)), 40))
		}
	}
	section := func(title string, n int) {
		fmt.Fprintf(bw, "\n%s (%d):\n", title, n)
		if n == 0 {
			fmt.Fprintln(bw, "  none")
		}
	}
	line := func(action iam.Action, notes ...string) {
		var kept []string
		for _, n := range notes {
			if n != "" {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			fmt.Fprintf(bw, "  %s\n", action)
			return
		}
		fmt.Fprintf(bw, "  %-*s  %s\n", width, action, strings.Join(kept, ", "))
	}
	section("Used", len(r.Used))
	widest(len(r.Used), func(i int) iam.Action { return r.Used[i].Action })
	for _, u := range r.Used {
		last := ""
		if !u.LastSeen.IsZero() {
			last = "last seen " + u.LastSeen.UTC().Format(time.RFC3339)
		}
		line(u.Action, calls(u.Count), last, note(u.Conditional, "conditional"))
	}
	section("Unused", len(r.Unused))
	widest(len(r.Unused), func(i int) iam.Action { return r.Unused[i].Action })
	for i := 0; i < len(r.Unused); {
		u := r.Unused[i]
		if n := wholeService(r.Unused[i:]); n > 0 {
			line(iam.Action(u.Action.Prefix()+":*"), fmt.Sprintf("all %d actions", n), note(u.Conditional, "conditional"))
			i += n
			continue
		}
		line(u.Action, note(u.DataEvent, "data event"), note(u.Conditional, "conditional"))
		i++
	}
	section("Not granted", len(r.NotGranted))
	widest(len(r.NotGranted), func(i int) iam.Action { return r.NotGranted[i].Action })
	for _, u := range r.NotGranted {
		line(u.Action, calls(u.Count))
	}
	if len(r.UnusedResources) > 0 {
		section("Unused resources", len(r.UnusedResources))
		for _, u := range r.UnusedResources {
			fmt.Fprintf(bw, "  %s: %s\n", u.Statement, u.Resource)
		}
	}
	return bw.Flush()
}

func calls(n int) string {
	if n == 1 {
		return "1 call"
	}
	return fmt.Sprintf("%d calls", n)
}

func note(on bool, s string) string {
	if on {
		return s
	}
	return ""
}

// wholeService returns how many actions the run at the start of unused (sorted) holds
// when they are every known action of their service, none of them a data event and all
// equally conditional, so that the text report can print them as one line; else 0.
func wholeService(unused []access.Unused) int {
	prefix := unused[0].Action.Prefix()
	all := servicedefs.Actions(prefix)
	if len(all) < 2 || len(unused) < len(all) {
		return 0
	}
	for i, a := range all {
		u := unused[i]
		if string(u.Action) != a || u.DataEvent || u.Conditional != unused[0].Conditional {
			return 0
		}
	}
	return len(all)
}
