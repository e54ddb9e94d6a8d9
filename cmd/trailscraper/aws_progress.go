package main

import (
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
)

// progressLine shows the progress of the AWS sources on one line of a terminal, rewritten
// at most a few times a second. On anything but a terminal it does nothing.
type progressLine struct {
	w       io.Writer // nil: show nothing
	fd      int       // the terminal's file descriptor, for its width; -1 if unknown
	mu      sync.Mutex
	state   map[string]source.Progress
	last    time.Time
	written bool
}

func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progressLine{}
	}
	return &progressLine{w: w, fd: int(f.Fd()), state: map[string]source.Progress{}}
}

// update records p and redraws the line when enough time has passed.
func (p *progressLine) update(pr source.Progress) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state[pr.Source] = pr
	if time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	keys := make([]string, 0, len(p.state))
	for k := range p.state {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		s := p.state[k]
		parts[i] = fmt.Sprintf("%s: %s, %d calls, %d records", k, strings.ToLower(s.State), s.Calls, s.Records)
	}
	line := "trailscraper: " + strings.Join(parts, "; ")
	if width, _, err := term.GetSize(p.fd); p.fd >= 0 && err == nil && width > 4 && len(line) >= width {
		line = line[:width-4] + "..."
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", safeText(line))
	p.written = true
}

// clear removes the line.
func (p *progressLine) clear() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.written {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.written = false
	}
}

// wrap clears the line when seq ends, and before each error so that the warning the
// command prints starts on a clean line.
func (p *progressLine) wrap(seq iter.Seq2[trailscraper.Record, error]) iter.Seq2[trailscraper.Record, error] {
	if p.w == nil {
		return seq
	}
	return func(yield func(trailscraper.Record, error) bool) {
		defer p.clear()
		for r, err := range seq {
			if err != nil {
				p.clear()
			}
			if !yield(r, err) {
				return
			}
		}
	}
}
