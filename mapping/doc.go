// Package mapping turns a CloudTrail record into the IAM permissions the call needed.
//
// [For] maps one record: its [Outcome] (mapped, permissionless, unmapped, unverified), the
// rule that decided, and each [Permission] with its resources. It stands on AWS's service
// reference (package servicedefs) and on small curated tables of what the data does not
// say, each entry with its source; MAPPING.md describes the rules in order. Every action it
// writes exists in the service reference, apart from services newer than the snapshot.
//
// [Coverage] tallies how a set of records maps, for measuring the mapping on real logs.
package mapping
