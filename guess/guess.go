// Package guess extends a policy with actions related to the ones it has.
package guess

import "github.com/trailscraper/trailscraper/iam"

// Extend returns a copy of p with, after each statement that has related actions, a
// statement that allows them on "*". prefixes limits the guesses ("Get", "List", …); none
// means all of Describe, Create, Delete, Update, Detach, Attach, List, Put and Get.
//
// CONTRACT (to be implemented).
func Extend(p *iam.Policy, prefixes ...string) *iam.Policy { return p }
