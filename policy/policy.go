// Package policy combines IAM statements into a small, deterministic policy.
package policy

import "github.com/trailscraper/trailscraper/iam"

// Build returns a policy (Version 2012-10-17) whose statements are stmts merged: first
// statements with equal resource lists have their actions unioned, then statements with equal
// action lists have their resources unioned; duplicates are removed and statements sorted by
// effect, then joined actions, then joined resources.
//
// CONTRACT (to be implemented).
func Build(stmts []iam.Statement) *iam.Policy {
	return &iam.Policy{Version: iam.Version, Statement: stmts}
}
