package depcheck

import "testing"

func TestMatches(t *testing.T) {
	tests := []struct {
		name    string
		dep     string
		allowed []string
		want    bool
	}{
		{"exact", "a/b", []string{"a/b"}, true},
		{"exact is not a prefix", "a/b/c", []string{"a/b"}, false},
		{"subtree root", "a/b", []string{"a/b/..."}, true},
		{"subtree child", "a/b/c/d", []string{"a/b/..."}, true},
		{"subtree sibling", "a/bc", []string{"a/b/..."}, false},
		{"nothing allowed", "a/b", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(tt.dep, tt.allowed); got != tt.want {
				t.Errorf("matches(%q, %q) = %v, want %v", tt.dep, tt.allowed, got, tt.want)
			}
		})
	}
}
