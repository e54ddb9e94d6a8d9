package s3download

import "testing"

func TestParallelismCap(t *testing.T) {
	tests := []struct{ in, want int }{
		{-1, DefaultParallelism}, {0, DefaultParallelism}, {1, 1},
		{MaxParallelism, MaxParallelism}, {MaxParallelism + 1, MaxParallelism}, {1_000_000, MaxParallelism},
	}
	for _, tt := range tests {
		if got := New(nil, "b", "d", WithParallelism(tt.in)).opts.parallelism; got != tt.want {
			t.Errorf("WithParallelism(%d): %d, want %d", tt.in, got, tt.want)
		}
	}
}
