package awsretry

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name   string
		tokens []string
		fail   int // index of the token that must fail; -1: none
	}{
		{"distinct", []string{"a", "b", "c"}, -1},
		{"repeated at once", []string{"a", "a"}, 1},
		{"cycle", []string{"a", "b", "c", "a"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tok Tokens
			for i, s := range tt.tokens {
				err := tok.Next(s)
				if (err != nil) != (i == tt.fail) || (err != nil && !errors.Is(err, ErrRepeatedToken)) {
					t.Errorf("Next(%q) #%d = %v", s, i, err)
				}
			}
		})
	}
}

func TestIsThrottle(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: "SlowDown"}), true},
		{&smithy.GenericAPIError{Code: "AccessDenied"}, false},
		{&StallError{}, false},
	}
	for _, tt := range tests {
		if got := IsThrottle(tt.err); got != tt.want {
			t.Errorf("IsThrottle(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
