package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestDownloadScript runs the scripts in testdata/script/download_s3 (a directory of their
// own, so that TestScript, which lacks the fake server, does not run them), each against its own in-memory S3
// server (gofakes3 on loopback) that the CLI finds through AWS_ENDPOINT_URL_S3. The bucket
// "trail-bucket" exists and is empty; scripts fill it with
//
//	s3log KEY EVENT-TIME   # a gzipped CloudTrail log file with one event at EVENT-TIME (RFC 3339)
//	s3log-on-get KEY EVENT-TIME  # as s3log, when the server next serves a GetObject
//	s3put KEY FILE         # an object holding FILE from the work directory
//	s3fail KEY             # GetObject of KEY fails with 500 InternalError from now on
//	s3deny KEY             # GetObject of KEY fails with 403 AccessDenied from now on
//	s3stall KEY            # GetObject of KEY sends half the body, then nothing until the client gives up
//	s3stall-once KEY       # as s3stall, for the next GetObject of KEY only
//	waitfor PATTERN        # wait until a file matches the glob PATTERN
//
// Requests signed with the access key ID AKIDEXPIRED are refused with 400 ExpiredToken.
func TestDownloadScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script/download_s3",
		Setup: func(e *testscript.Env) error {
			backend := s3mem.New()
			if err := backend.CreateBucket("trail-bucket"); err != nil {
				return err
			}
			fake := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
			hook := &downloadHook{backend: backend}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.Header.Get("Authorization"), "Credential=AKIDEXPIRED/") {
					w.Header().Set("Content-Type", "application/xml")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>")
					return
				}
				if r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") > 0 {
					switch hook.onGet(strings.TrimPrefix(r.URL.Path, "/trail-bucket/")) {
					case "fail":
						http.Error(w, "<Error><Code>InternalError</Code><Message>injected</Message></Error>", http.StatusInternalServerError)
						return
					case "deny":
						http.Error(w, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", http.StatusForbidden)
						return
					case "stall":
						w.Header().Set("Content-Length", "1000")
						w.WriteHeader(http.StatusOK)
						w.Write(make([]byte, 500))
						w.(http.Flusher).Flush()
						<-r.Context().Done()
						return
					}
				}
				fake.ServeHTTP(w, r)
			}))
			e.Defer(srv.Close)
			e.Values["s3"] = backend
			e.Values["hook"] = hook
			e.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
			e.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			e.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			e.Setenv("AWS_REGION", "us-east-1")
			e.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			e.Setenv("AWS_CONFIG_FILE", e.WorkDir+"/no-aws-config")
			e.Setenv("AWS_SHARED_CREDENTIALS_FILE", e.WorkDir+"/no-aws-credentials")
			e.Setenv("TZ", "UTC")
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"s3log": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: s3log KEY EVENT-TIME")
				}
				at, err := time.Parse(time.RFC3339, args[1])
				ts.Check(err)
				downloadPut(ts, args[0], downloadLogBody(at))
			},
			"s3log-on-get": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: s3log-on-get KEY EVENT-TIME")
				}
				at, err := time.Parse(time.RFC3339, args[1])
				ts.Check(err)
				ts.Value("hook").(*downloadHook).add(args[0], downloadLogBody(at))
			},
			"s3fail": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: s3fail KEY")
				}
				ts.Value("hook").(*downloadHook).set(args[0], "fail")
			},
			"s3deny": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: s3deny KEY")
				}
				ts.Value("hook").(*downloadHook).set(args[0], "deny")
			},
			"s3stall": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: s3stall KEY")
				}
				ts.Value("hook").(*downloadHook).set(args[0], "stall")
			},
			"s3stall-once": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: s3stall-once KEY")
				}
				ts.Value("hook").(*downloadHook).set(args[0], "stall-once")
			},
			"waitfor": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: waitfor PATTERN")
				}
				deadline := time.Now().Add(30 * time.Second)
				for {
					if m, _ := filepath.Glob(ts.MkAbs(args[0])); len(m) > 0 {
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s did not appear within 30s", args[0])
					}
					time.Sleep(10 * time.Millisecond)
				}
			},
			"s3put": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: s3put KEY FILE")
				}
				downloadPut(ts, args[0], []byte(ts.ReadFile(args[1])))
			},
		},
	})
}

// downloadHook adds objects to the fake when it next serves a GetObject: a file that
// arrives while a download runs, after its listings.
type downloadHook struct {
	backend *s3mem.Backend
	mu      sync.Mutex
	pending map[string][]byte
	modes   map[string]string // key → "fail", "deny" or "stall"
}

// set makes the GetObject of key fail, be denied or stall from now on.
func (h *downloadHook) set(key, mode string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.modes == nil {
		h.modes = map[string]string{}
	}
	h.modes[key] = mode
}

func (h *downloadHook) add(key string, body []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending == nil {
		h.pending = map[string][]byte{}
	}
	h.pending[key] = body
}

// onGet adds the pending objects and returns what the GetObject of key is to do ("" to
// answer normally).
func (h *downloadHook) onGet(key string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for key, body := range h.pending {
		h.backend.PutObject("trail-bucket", key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
	}
	h.pending = nil
	mode := h.modes[key]
	if mode == "stall-once" {
		delete(h.modes, key)
		mode = "stall"
	}
	return mode
}

func downloadPut(ts *testscript.TestScript, key string, body []byte) {
	backend := ts.Value("s3").(*s3mem.Backend)
	_, err := backend.PutObject("trail-bucket", key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
	ts.Check(err)
}

func downloadLogBody(at time.Time) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	fmt.Fprintf(zw, `{"Records":[{"eventVersion":"1.08","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","eventID":"e-%d","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice"}}]}`,
		at.UTC().Format(time.RFC3339), at.Unix())
	zw.Close()
	return b.Bytes()
}
