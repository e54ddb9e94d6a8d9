package lint

import "strings"

// A token of a pattern: a literal byte, one byte of a class, or any run of a class.
type token struct {
	kind  byte // 'l' literal, '1' one byte, '*' any run
	c     byte // the literal
	colon bool // the class includes ':'
}

// formatTokens reads an ARN format of the service reference such as
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}": each ${Var} is a non-empty run
// without ':' (ARN fields never hold one), except the last, which may hold anything (a
// resource name such as a log stream's or a qualified function's may); ${Region} and
// ${Account} may be empty; a "*" in the format is any run.
func formatTokens(f string) []token {
	var out []token
	last := strings.LastIndex(f, "${")
	for i := 0; i < len(f); i++ {
		if strings.HasPrefix(f[i:], "${") {
			if end := strings.IndexByte(f[i:], '}'); end > 0 {
				colon := i == last
				if v := f[i+2 : i+end]; v != "Region" && v != "Account" {
					out = append(out, token{kind: '1', colon: colon})
				}
				// Region and Account may be empty: resources AWS owns
				// (arn:aws:ssm:us-east-1::document/AWS-RunShellScript) and global
				// resources (arn:aws:iam::…) leave them out.
				out = append(out, token{kind: '*', colon: colon})
				i += end
				continue
			}
		}
		if f[i] == '*' {
			// Some formats end in a wildcard of their own (dms "…:rep:*").
			out = append(out, token{kind: '*', colon: true})
			continue
		}
		out = append(out, token{kind: 'l', c: f[i]})
	}
	return out
}

// resourceTokens reads a policy's resource: '*' is any run, '?' any one character, and an
// IAM policy variable ${…} any run, as it is replaced at request time.
func resourceTokens(r string) []token {
	var out []token
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '*':
			out = append(out, token{kind: '*', colon: true})
		case r[i] == '?':
			out = append(out, token{kind: '1', colon: true})
		case strings.HasPrefix(r[i:], "${") && strings.IndexByte(r[i:], '}') > 0:
			out = append(out, token{kind: '*', colon: true})
			i += strings.IndexByte(r[i:], '}')
		default:
			out = append(out, token{kind: 'l', c: r[i]})
		}
	}
	return out
}

// intersects reports whether some string matches both patterns, by a search of the pairs
// of positions the two can reach together.
func intersects(a, b []token) bool {
	type pos struct{ i, j int }
	seen := map[pos]bool{}
	stack := []pos{{0, 0}}
	push := func(p pos) {
		if !seen[p] {
			seen[p] = true
			stack = append(stack, p)
		}
	}
	seen[pos{0, 0}] = true
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p.i == len(a) && p.j == len(b) {
			return true
		}
		// A run may match nothing.
		if p.i < len(a) && a[p.i].kind == '*' {
			push(pos{p.i + 1, p.j})
		}
		if p.j < len(b) && b[p.j].kind == '*' {
			push(pos{p.i, p.j + 1})
		}
		if p.i == len(a) || p.j == len(b) || !compatible(a[p.i], b[p.j]) {
			continue
		}
		// Both consume one byte; a run stays where it is.
		next := p
		if a[p.i].kind != '*' {
			next.i++
		}
		if b[p.j].kind != '*' {
			next.j++
		}
		if next != p {
			push(next)
		}
	}
	return false
}

// compatible reports whether one byte can match both tokens.
func compatible(x, y token) bool {
	switch {
	case x.kind == 'l' && y.kind == 'l':
		return x.c == y.c
	case x.kind == 'l':
		return x.c != ':' || y.colon
	case y.kind == 'l':
		return y.c != ':' || x.colon
	}
	return true
}
