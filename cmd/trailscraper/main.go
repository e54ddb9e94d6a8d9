// Command trailscraper turns AWS CloudTrail logs into least-privilege IAM policies.
//
// It is a thin layer over the github.com/trailscraper/trailscraper library: each command
// reads flags, calls the library and prints. Run `trailscraper --help` for usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=…"; without it --version
// prints the module version of the build (see appVersion).
var version string

func main() { os.Exit(mainCode()) }

// mainCode is main but for the exit: the process's GC target, Ctrl-C and SIGTERM as the
// cancellation of the command's context, and the real arguments and streams. The CLI tests
// run it as the trailscraper command.
func mainCode() int {
	if os.Getenv("GOGC") == "" {
		// The CLI streams: almost everything it allocates dies young. A larger heap goal
		// than the default 100 % saves a tenth of the CPU of select and generate for about
		// 20 MB more peak memory (BENCHMARKS.md).
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go exitIfStuck(ctx)
	return run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// interruptGrace is how long a command may take to stop after Ctrl-C or SIGTERM.
const interruptGrace = 2 * time.Second

// exitIfStuck ends the process when a command does not stop in time after ctx (the
// signal's) is done. Commands stop at their next read, but a read that blocks (stdin on a
// terminal or a pipe that no one writes to) never returns to see the cancellation.
func exitIfStuck(ctx context.Context) {
	<-ctx.Done()
	time.Sleep(interruptGrace)
	fmt.Fprintln(os.Stderr, "trailscraper: interrupted")
	os.Exit(130)
}

// usageError is a mistake in how the command was called; it exits 2. cmd is the command
// whose help the hint points to ("" for the list of commands).
type usageError struct {
	err error
	cmd string
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{err: fmt.Errorf(format, args...)} }

// exitError ends the command with a message and a given exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// run runs the CLI with the given arguments and streams and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	notFound := ""
	app := &cli.App{
		Name:                 "trailscraper",
		Usage:                "turn AWS CloudTrail logs into least-privilege IAM policies",
		Version:              appVersion(debug.ReadBuildInfo),
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: false,
		Suggest:              true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "print debug output on stderr"},
		},
		Commands: []*cli.Command{
			downloadCommand(),
			selectCommand(),
			generateCommand(),
			diffCommand(),
			guessCommand(),
			lintCommand(),
			lastEventTimestampCommand(),
			coverageCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			notFound = name
		},
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	strictCommands(app)
	err := app.RunContext(ctx, args)
	if notFound != "" {
		fmt.Fprintf(stderr, "trailscraper: %s\n", commandNotFound(app, notFound))
		return 2
	}
	return exitCode(err, stderr)
}

// exitCode prints err as one line on stderr and returns the process exit code for it.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "trailscraper: %s\nRun '%s --help' for usage.\n", safeText(err.Error()), strings.TrimSpace("trailscraper "+ue.cmd))
		return 2
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "trailscraper: %s\n", safeText(err.Error()))
		return ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "trailscraper: interrupted")
		return 130
	default:
		fmt.Fprintf(stderr, "trailscraper: %s\n", safeText(err.Error()))
		return 1
	}
}
