package main

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/lint"
	"github.com/trailscraper/trailscraper/policy"
	"github.com/urfave/cli/v2"
)

// maxManagedPolicies is how many managed policies a role can have attached by default.
const maxManagedPolicies = 10

// policyOutputFlags are generate's flags for the form of its output.
func policyOutputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "json", Usage: "print the policy as `FORMAT`: json, terraform (aws_iam_policy_document data sources) or cloudformation (a YAML template of AWS::IAM::ManagedPolicy resources)",
			Action: func(_ *cli.Context, f string) error { return checkFormat(f) }},
		&cli.StringFlag{Name: "name", Value: "trailscraper", Usage: "`NAME` of the Terraform data source or CloudFormation resource and of the files in --out-dir (made valid for each)"},
		maxSizeFlag(),
		&cli.StringFlag{Name: "out-dir", Usage: "write one file per policy document into `DIR` (created if missing) instead of printing"},
		&cli.BoolFlag{Name: "per-principal", Usage: "with --out-dir: one policy per principal (the role of assumed-role sessions, the user, …) and DIR/index.json listing them",
			Action: func(c *cli.Context, on bool) error {
				if on && c.String("out-dir") == "" {
					return usagef("--per-principal needs --out-dir DIR to write the policies into")
				}
				if on && c.Bool("explain") {
					return usagef("--per-principal writes policies; --explain does not go with it")
				}
				return nil
			}},
		&cli.BoolFlag{Name: "lint", Usage: "check the generated policy documents and print the findings on stderr"},
	}
}

func maxSizeFlag() cli.Flag {
	return &cli.StringFlag{Name: "max-size", Usage: "size limit of `SIZE` characters without white space: a number, or managed (6144), inline-role (10240), inline-user (2048), inline-group (5120)",
		Action: func(c *cli.Context, _ string) error { _, err := parseMaxSize(c); return err }}
}

func checkFormat(f string) error {
	switch f {
	case "json", "terraform", "cloudformation":
		return nil
	}
	return usagef("--format %q: want json, terraform or cloudformation", f)
}

// parseMaxSize reads --max-size; 0 when not given.
func parseMaxSize(c *cli.Context) (int, error) {
	s := c.String("max-size")
	if s == "" {
		return 0, nil
	}
	switch s {
	case "managed":
		return policy.LimitManaged, nil
	case "inline-role":
		return policy.LimitInlineRole, nil
	case "inline-user":
		return policy.LimitInlineUser, nil
	case "inline-group":
		return policy.LimitInlineGroup, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, usagef("--max-size %q: want a positive number or managed, inline-role, inline-user, inline-group", s)
	}
	return n, nil
}

// policyOutput is how generate writes its policies.
type policyOutput struct {
	format, name, outDir string
	limit                int
	lint                 bool
	stdout, stderr       io.Writer
	log                  *slog.Logger
	used                 map[string]bool // file names written, lower-cased
}

func newPolicyOutput(c *cli.Context, log *slog.Logger) (*policyOutput, error) {
	o := &policyOutput{format: c.String("format"), name: c.String("name"), outDir: c.String("out-dir"),
		lint: c.Bool("lint"), stdout: c.App.Writer, stderr: c.App.ErrWriter, log: log, used: map[string]bool{}}
	if err := checkFormat(o.format); err != nil {
		return nil, err
	}
	var err error
	if o.limit, err = parseMaxSize(c); err != nil {
		return nil, err
	}
	return o, nil
}

// writePolicies writes p in the form the flags ask for: split to --max-size, in --format,
// to stdout or to files in --out-dir, checked with --lint.
func writePolicies(c *cli.Context, log *slog.Logger, p *iam.Policy) error {
	o, err := newPolicyOutput(c, log)
	if err != nil {
		return err
	}
	if o.format == "json" && o.limit == 0 && o.outDir == "" && !o.lint {
		return writePolicy(o.stdout, p) // today's output, byte for byte
	}
	docs, err := o.split(p, "the policy")
	if err != nil {
		return err
	}
	if o.outDir == "" {
		o.lintDocs(docs, func(i int) string { return documentLabel(i, len(docs)) })
		b, err := o.render(o.name, docs)
		if err != nil {
			return err
		}
		_, err = o.stdout.Write(b)
		return err
	}
	_, err = o.writeFiles(safeFileName(o.name), docs)
	return err
}

// generatePerPrincipal reads the records once and writes one policy per principal into
// --out-dir, with an index.
func generatePerPrincipal(c *cli.Context, log *slog.Logger, recs iter.Seq2[trailscraper.Record, error], opts []trailscraper.Option) error {
	o, err := newPolicyOutput(c, log)
	if err != nil {
		return err
	}
	skipped := 0
	opts = append(opts, trailscraper.WithSkipped(func(err error) {
		skipped++
		log.Warn("skipped: " + err.Error())
	}))
	pps, err := trailscraper.GeneratePolicies(recs, opts...)
	summarizeSkipped(log, skipped)
	if err != nil {
		return err
	}
	type entry struct {
		Principal string   `json:"principal"`
		Files     []string `json:"files"`
		Records   int      `json:"records"`
	}
	index := []entry{}
	for _, pp := range pps {
		docs, err := o.split(pp.Policy, "the policy of "+principalLabel(pp.Principal))
		if err != nil {
			return err
		}
		files, err := o.writeFiles(safeFileName(principalFileBase(pp.Principal)), docs)
		if err != nil {
			return err
		}
		index = append(index, entry{Principal: pp.Principal, Files: files, Records: pp.Records})
	}
	b, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.outDir, "index.json"), append(b, '\n'), 0o644)
}

func principalLabel(p string) string {
	if p == "" {
		return "unknown"
	}
	return p
}

// principalFileBase shortens a principal ARN for a file name: the resource and the
// account (role/app_111111111111), or the whole principal when it is no ARN.
func principalFileBase(p string) string {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return principalLabel(p)
	}
	return strings.TrimSuffix(parts[5]+"_"+parts[4], "_")
}

func documentLabel(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("document %d: ", i+1)
}

// split cuts p to the size limit, if any, and says on stderr when the documents are more
// than a role can have attached.
func (o *policyOutput) split(p *iam.Policy, what string) ([]*iam.Policy, error) {
	if o.limit == 0 {
		return []*iam.Policy{p}, nil
	}
	docs, err := policy.Split(p, o.limit)
	if err != nil {
		return nil, fmt.Errorf("splitting %s into documents of at most %d characters: %w", what, o.limit, err)
	}
	if len(docs) > maxManagedPolicies {
		o.log.Warn(fmt.Sprintf("%s needs %d documents of at most %d characters; a role can have only %d managed policies attached by default",
			what, len(docs), o.limit, maxManagedPolicies))
	}
	return docs, nil
}

// render writes docs in the format, named name (or name_1, … as each format numbers them).
func (o *policyOutput) render(name string, docs []*iam.Policy) ([]byte, error) {
	switch o.format {
	case "terraform":
		return iam.MarshalTerraform(name, docs...)
	case "cloudformation":
		return iam.MarshalCloudFormation(name, docs...)
	}
	var out []byte
	for _, d := range docs {
		b, err := iam.Marshal(d)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// writeFiles writes each document to a file of its own in the output directory, named
// base.EXT or base-1.EXT, …, and returns the file names.
func (o *policyOutput) writeFiles(base string, docs []*iam.Policy) ([]string, error) {
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output directory: %w", err)
	}
	ext := map[string]string{"json": ".json", "terraform": ".tf", "cloudformation": ".yaml"}[o.format]
	names := fileNames(base, ext, len(docs))
	for n := 2; o.taken(names); n++ {
		names = fileNames(fmt.Sprintf("%s_%d", base, n), ext, len(docs))
	}
	for i, d := range docs {
		stem := strings.TrimSuffix(names[i], ext)
		o.lintDocs([]*iam.Policy{d}, func(int) string { return names[i] + ": " })
		b, err := o.render(stem, []*iam.Policy{d})
		if err != nil {
			return nil, err
		}
		if !filepath.IsLocal(names[i]) || strings.ContainsAny(names[i], `/\`) {
			return nil, fmt.Errorf("file name %q would leave the output directory", names[i]) // safeFileName prevents it
		}
		if err := os.WriteFile(filepath.Join(o.outDir, names[i]), b, 0o644); err != nil {
			return nil, fmt.Errorf("writing the policy: %w", err)
		}
		o.used[strings.ToLower(names[i])] = true
	}
	return names, nil
}

// taken reports whether a name is used already (or is index.json), ignoring case as some
// file systems do.
func (o *policyOutput) taken(names []string) bool {
	for _, n := range names {
		if l := strings.ToLower(n); o.used[l] || l == "index.json" {
			return true
		}
	}
	return false
}

func fileNames(base, ext string, n int) []string {
	if n == 1 {
		return []string{base + ext}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d%s", base, i+1, ext)
	}
	return out
}

// safeFileName turns a principal ARN or a name into a file name that is valid on every OS
// and stays in its directory: ASCII letters, digits, '-', '_' and inner '.' only, at most
// 100 characters, not a device name of Windows.
func safeFileName(s string) string {
	s = strings.TrimPrefix(s, "arn:")
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if len(out) > 100 {
		out = strings.TrimRight(out[:100], "._")
	}
	if out == "" {
		return "policy"
	}
	stem, _, _ := strings.Cut(strings.ToUpper(out), ".")
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		out = "_" + out
	}
	return out
}

// lintDocs prints the findings for docs on stderr when --lint is given.
func (o *policyOutput) lintDocs(docs []*iam.Policy, label func(int) string) {
	if !o.lint {
		return
	}
	for i, d := range docs {
		for _, f := range lint.Check(d, lint.WithMaxSize(o.limit)) {
			fmt.Fprintf(o.stderr, "trailscraper: lint: %s%s\n", label(i), f)
		}
	}
}
