package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// This file makes a newcomer's mistakes loud: stray arguments and unknown flags are usage
// errors with a suggestion, and a command that waits for stdin on a terminal says so.

// stdinIsTerminal reports whether r, the command's stdin, is a terminal. The CLI tests
// replace it to see the hint a person at a terminal gets.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// stdinHints are what each command that reads stdin says when stdin is a terminal.
var stdinHints = map[string]string{
	"generate": "reading CloudTrail records from stdin; pipe select's output in (trailscraper select | trailscraper generate) or give --log-dir DIR",
	"guess":    "reading an IAM policy from stdin; pipe generate's output in or redirect a file (trailscraper guess < policy.json)",
	"coverage": "reading records, one JSON object a line, from stdin; pipe them in or give the file's name instead of -",
	"diff":     "reading CloudTrail records from stdin; pipe select's output in or give --log-dir DIR",
	"lint":     "reading an IAM policy from stdin; pipe generate's output in or give the policy file's name",
}

// stdin returns the command's stdin. When stdin is a terminal it first says on stderr what
// the command expects there, so that a command waiting for input never looks hung.
func stdin(c *cli.Context, log *slog.Logger) io.Reader {
	if stdinIsTerminal(c.App.Reader) {
		hint := cmp.Or(stdinHints[c.Command.Name], "reading stdin")
		log.Info(hint + "; end the input with Ctrl-D")
	}
	return c.App.Reader
}

// strictCommands makes every command of app refuse positional arguments unless its
// ArgsUsage names some, report flag mistakes with a suggestion, and tag its usage errors
// with its name, so that the hint points at the command's own help.
func strictCommands(app *cli.App) {
	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsageError
		cmd.HideHelpCommand = true
		action := cmd.Action
		cmd.Action = func(c *cli.Context) error {
			if cmd.ArgsUsage == "" && c.NArg() > 0 {
				return strayArguments(cmd, c.Args().Slice())
			}
			err := action(c)
			if ue := (usageError{}); errors.As(err, &ue) && ue.cmd == "" {
				return usageError{err: err, cmd: cmd.Name}
			}
			return err
		}
	}
}

// strayArguments is the usage error for arguments given to a command that takes none, with
// a guess at what was meant.
func strayArguments(cmd *cli.Command, args []string) error {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	msg := fmt.Sprintf("%s takes no arguments, got %s", cmd.Name, strings.Join(quoted, " "))
	first := args[0]
	var hint string
	switch st, err := os.Stat(first); {
	case first == "-" && stdinHints[cmd.Name] != "":
		hint = fmt.Sprintf("%s reads stdin without one", cmd.Name)
	case first == "help":
		hint = fmt.Sprintf("did you mean trailscraper %s --help?", cmd.Name)
	case slices.Contains(args, "ago"):
		hint = "a time with spaces needs quotes: --from '2 hours ago'"
	case slices.ContainsFunc(args[1:], func(a string) bool { return strings.HasPrefix(a, "-") }):
		hint = "flags go before arguments; the ones after " + quoted[0] + " were not read"
	case err == nil && st.IsDir() && hasFlag(cmd.Flags, "log-dir"):
		hint = fmt.Sprintf("did you mean --log-dir %s?", shellWord(first))
	case err == nil && !st.IsDir() && hasFlag(cmd.Flags, "policy"):
		hint = fmt.Sprintf("did you mean --policy %s?", shellWord(first))
	case err == nil && !st.IsDir() && stdinHints[cmd.Name] != "":
		hint = fmt.Sprintf("%s reads stdin; did you mean trailscraper %s < %s?", cmd.Name, cmd.Name, shellWord(first))
	}
	if hint != "" {
		msg += "; " + hint
	}
	return usageError{err: errors.New(msg), cmd: cmd.Name}
}

// shellWord returns s as it can be typed in a suggested command line: as is when it holds
// only characters a shell leaves alone, else Go-quoted (which also escapes control
// characters).
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./~:@%+=,-") == "" {
		return s
	}
	return strconv.Quote(s)
}

// onUsageError adds to a flag parsing error the closest flag, or says that a global flag
// goes before the command.
func onUsageError(c *cli.Context, err error, isSubcommand bool) error {
	var name string
	flags := c.App.Flags
	if isSubcommand && c.Command != nil {
		name, flags = c.Command.Name, c.Command.Flags
	}
	bad, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return usageError{err: err, cmd: name}
	}
	bad = strings.TrimLeft(bad, "-")
	switch {
	case name != "" && hasFlag(c.App.Flags, bad):
		err = fmt.Errorf("%w; --%s goes before the command: trailscraper --%s %s …", err, bad, bad, name)
	default:
		if s := closest(bad, flagNames(flags)); s != "" {
			err = fmt.Errorf("%w; did you mean --%s?", err, s)
		}
	}
	return usageError{err: err, cmd: name}
}

// commandNotFound is the message for an unknown command, with the closest one.
func commandNotFound(app *cli.App, name string) string {
	msg := fmt.Sprintf("no such command %q", name)
	var names []string
	for _, c := range app.Commands {
		names = append(names, c.Names()...)
	}
	if s := closest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	return msg + "\nRun 'trailscraper --help' for the list."
}

func flagNames(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		out = append(out, f.Names()...)
	}
	return out
}

func hasFlag(flags []cli.Flag, name string) bool {
	return slices.Contains(flagNames(flags), name)
}

// closest returns the candidate that bad most likely misspells: the one it is a prefix of,
// else the nearest in edit distance if near enough, else the one that contains it; "" if
// none fits.
func closest(bad string, candidates []string) string {
	bad = strings.ToLower(bad)
	if bad == "" || len(bad) > 100 {
		return ""
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, bad) {
			return c
		}
	}
	best, bestD := "", max(1, len(bad)/3)+1
	for _, c := range candidates {
		if d := editDistance(bad, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" {
		return best
	}
	for _, c := range candidates {
		if len(bad) >= 3 && strings.Contains(c, bad) {
			return c
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b, in bytes: the
// edits, a swap of two neighbours counting as one, that turn a into b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// required is a flag that must be given, and whether it was (with a usable value).
type required struct {
	name string
	set  bool
}

// missingFlags is the usage error that names every required flag that is not set, or nil.
func missingFlags(flags ...required) error {
	var missing []string
	for _, f := range flags {
		if !f.set {
			missing = append(missing, "--"+f.name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usagef("missing option %s", missing[0])
	}
	return usagef("missing options %s", strings.Join(missing, ", "))
}
