package trailscraper

// Permissions returns the IAM permissions the call in r needed: none for events that need
// no permission (sts:GetCallerIdentity, console sign-in, …), several for calls that need
// several actions. Every action is checked against AWS's service reference.
//
// CONTRACT (to be implemented on servicedefs).
func (r *Record) Permissions() []Permission { return nil }
