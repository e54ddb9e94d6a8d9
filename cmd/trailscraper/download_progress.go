package main

import (
	"io"
	"os"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/trailscraper/trailscraper/s3download"
)

// downloadIsTerminal reports whether w is a terminal, where progress is drawn.
func downloadIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// downloadProgress draws two bars, files and bytes, while a download runs. Disabled, it
// draws nothing and its writer is the plain stderr.
type downloadProgress struct {
	w            io.Writer
	p            *mpb.Progress
	files, bytes *mpb.Bar
	nFiles       int64
	nBytes       int64
}

func newDownloadProgress(w io.Writer, enabled bool) *downloadProgress {
	d := &downloadProgress{w: w}
	if !enabled {
		return d
	}
	d.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithAutoRefresh())
	d.files = d.p.AddBar(0,
		mpb.PrependDecorators(decor.Name("files ", decor.WCSyncWidth), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace)))
	d.bytes = d.p.AddBar(0,
		mpb.PrependDecorators(decor.Name("bytes ", decor.WCSyncWidth), decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace)))
	return d
}

// writer is where log lines go while the bars are drawn: above them.
func (d *downloadProgress) writer() io.Writer {
	if d.p == nil {
		return d.w
	}
	return d.p
}

// event is the s3download progress callback; calls are serialised by the library.
func (d *downloadProgress) event(e s3download.Event) {
	if d.p == nil {
		return
	}
	switch e.Kind {
	case s3download.Listed:
		d.nFiles++
		d.nBytes += e.Size
		d.files.SetTotal(d.nFiles, false)
		d.bytes.SetTotal(d.nBytes, false)
	case s3download.Downloaded, s3download.Existing, s3download.Failed:
		d.files.Increment()
		d.bytes.IncrInt64(e.Size)
	}
}

// finish completes the bars and waits until they are drawn for the last time.
func (d *downloadProgress) finish() {
	if d.p == nil {
		return
	}
	d.files.SetTotal(-1, true)
	d.bytes.SetTotal(-1, true)
	d.p.Wait()
}
