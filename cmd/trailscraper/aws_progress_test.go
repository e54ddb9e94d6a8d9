package main

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progressLine{w: &buf, fd: -1, state: map[string]source.Progress{}}
	p.update(source.Progress{Source: "LookupEvents us-east-1", State: "running", Calls: 3, Records: 150})
	if want := "\r\x1b[Ktrailscraper: LookupEvents us-east-1: running, 3 calls, 150 records"; buf.String() != want {
		t.Errorf("line = %q, want %q", buf.String(), want)
	}
	buf.Reset()
	// As if the line had just been drawn, however slow the machine: not redrawn.
	p.last = time.Now().Add(time.Hour)
	p.update(source.Progress{Source: "LookupEvents us-east-1", State: "running", Calls: 4})
	if buf.Len() != 0 {
		t.Errorf("redrawn within 200ms: %q", buf.String())
	}
	seq := func(yield func(trailscraper.Record, error) bool) {
		_ = yield(trailscraper.Record{}, errors.New("x")) && yield(trailscraper.Record{EventName: "A"}, nil)
	}
	n := 0
	for range p.wrap(seq) {
		n++
	}
	if n != 2 || buf.String() != "\r\x1b[K" {
		t.Errorf("wrap: %d items, wrote %q; want 2 and one clear", n, buf.String())
	}

	// Not a terminal: nothing at all.
	var out bytes.Buffer
	q := newProgressLine(&out)
	q.update(source.Progress{Source: "x"})
	for range q.wrap(seq) {
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", out.String())
	}
}
