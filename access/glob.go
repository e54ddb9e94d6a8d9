package access

import (
	"strings"
	"unicode/utf8"
)

// glob is an IAM wildcard pattern: '*' matches any run of characters, '?' exactly one.
type glob []token

type tokenKind uint8

const (
	literal tokenKind = iota
	anyOne
	anyRun
)

type token struct {
	kind tokenKind
	r    rune
}

// compileAction compiles an action pattern ("s3:Get*"); matching is case-insensitive, so
// the pattern is lowered and so must the actions it is matched against be.
func compileAction(p string) glob {
	p = strings.ToLower(p)
	g := make(glob, 0, len(p))
	for _, r := range p {
		g = append(g, wildcard(r))
	}
	return g
}

func wildcard(r rune) token {
	switch r {
	case '*':
		return token{kind: anyRun}
	case '?':
		return token{kind: anyOne}
	}
	return token{kind: literal, r: r}
}

// compileResource compiles a resource pattern ("arn:aws:s3:::bucket/*"); matching is
// case-sensitive, as IAM's matching of ARNs is. The escapes ${*}, ${?} and ${$} stand for
// the character itself; any other policy variable (${aws:username}) has a value only at
// request time and is taken to match anything.
func compileResource(p string) glob {
	g := make(glob, 0, len(p))
	for len(p) > 0 {
		if strings.HasPrefix(p, "${") {
			if end := strings.IndexByte(p, '}'); end > 0 {
				switch v := p[2:end]; v {
				case "*", "?", "$":
					g = append(g, token{kind: literal, r: rune(v[0])})
				default:
					g = append(g, token{kind: anyRun})
				}
				p = p[end+1:]
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(p)
		g = append(g, wildcard(r))
		p = p[n:]
	}
	return g
}

// match reports whether s matches the whole pattern. It backtracks only to the last '*',
// so it takes at most len(g)·len(s) steps.
func (g glob) match(s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) {
		if ti < len(g) {
			t := g[ti]
			switch t.kind {
			case anyRun:
				starT, starS = ti, si
				ti++
				continue
			case anyOne:
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				ti++
				continue
			default:
				if r, n := utf8.DecodeRuneInString(s[si:]); r == t.r {
					si += n
					ti++
					continue
				}
			}
		}
		if starT < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, ti = starS, starT+1
	}
	for ti < len(g) && g[ti].kind == anyRun {
		ti++
	}
	return ti == len(g)
}

// literalPrefix returns the service prefix of an action pattern when it has no wildcard
// ("s3" for "s3:get*"), and false otherwise.
func literalPrefix(lowered string) (string, bool) {
	p, _, ok := strings.Cut(lowered, ":")
	if !ok || strings.ContainsAny(p, "*?") {
		return "", false
	}
	return p, true
}
