package main

import "testing"

func TestClosest(t *testing.T) {
	flags := []string{"log-dir", "jobs", "from", "to", "filter-assumed-role-arn", "filter-principal", "filter-event-source", "errors", "strict", "explain"}
	tests := []struct {
		name, bad, want string
	}{
		{"prefix", "filter-assumed-role", "filter-assumed-role-arn"},
		{"transposed letters", "stirct", "strict"},
		{"one letter off", "form", "from"},
		{"case", "Log-Dir", "log-dir"},
		{"underscore", "log_dir", "log-dir"},
		{"contained", "assumed-role-arn", "filter-assumed-role-arn"},
		{"nothing near", "no-such-flag", ""},
		{"too short to contain", "x", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := closest(tt.bad, flags); got != tt.want {
				t.Errorf("closest(%q) = %q, want %q", tt.bad, got, tt.want)
			}
		})
	}
}
