package mapping

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Outcome says what the mapping made of a record.
type Outcome uint8

const (
	// Mapped records needed the actions in their permissions, all in the service reference.
	Mapped Outcome = iota
	// Permissionless records needed no permission of the caller's identity policy: a call
	// that needs none (sts:GetCallerIdentity), a console sign-in, a call made by an AWS
	// service, an event AWS logs on its own.
	Permissionless
	// Unmapped records name an operation the service reference does not know, or come from
	// an event source of no known service. They produce no permission.
	Unmapped
	// Unverified records come from a service missing from the embedded service reference
	// snapshot; their action is written as "prefix:EventName" without a check.
	Unverified
)

func (o Outcome) String() string {
	switch o {
	case Mapped:
		return "mapped"
	case Permissionless:
		return "permissionless"
	case Unmapped:
		return "unmapped"
	case Unverified:
		return "unverified"
	}
	return "unknown"
}

// Mapping is what a record needed and why. Each permission's Resources are ARNs, or ["*"].
type Mapping struct {
	Outcome Outcome
	// Rule names the rule that decided: for mapped records the rule of the primary action
	// (each Permission carries its own), otherwise why there are none. See MAPPING.md.
	Rule        string
	Permissions []Permission
}

// Permission is one IAM action that a record needed, with the resources it was used on.
type Permission struct {
	Action    iam.Action
	Resources []string // resource ARNs, or ["*"]
	Rule      string   // the mapping rule that decided, for explanations
	// Scoped holds the resources built from the call by [Scope] (the "scoped" mode), with
	// where each came from; nil when the action takes only "*" (or before Scope).
	Scoped []Resource
	// fromRequest: the scoped resources the rule itself read from the request (API
	// Gateway's path with the request's ids); Scope uses them.
	fromRequest []Resource
	// ruled: Resources were read from the request by the rule itself (the role passed, a
	// copy's source and destination, API Gateway's path, a re-encryption's keys); Scope
	// keeps them.
	ruled bool
}

// Permissions returns the IAM permissions the call in r needed: none for events that need
// no permission (sts:GetCallerIdentity, console sign-in, …), several for calls that need
// several actions. Every action is checked against AWS's service reference; see [For] for
// why a record produced no permission.
func Permissions(r *cloudtrail.Record) []Permission { return For(r).Permissions }

// For maps the call in r to the IAM permissions it needed, saying which rules decided.
//
// The decision for an (eventSource, eventName) pair is made once and cached; the request
// parameters are only read when the decision depends on them (a version ID, a role passed,
// tags, a PartiQL statement, the API Gateway version).
func For(r *cloudtrail.Record) Mapping {
	if rule, ok := recordPermissionless(r); ok {
		return Mapping{Outcome: Permissionless, Rule: rule}
	}
	d := decide(r.EventSource, r.EventName)
	if d.outcome != Mapped && d.outcome != Unverified {
		return Mapping{Outcome: d.outcome, Rule: d.rule}
	}
	m := Mapping{Outcome: d.outcome, Rule: d.rule}
	q := &request{raw: r.RequestParameters}
	if d.apigateway != nil {
		g, ok := d.apigateway.pick(q)
		if !ok {
			return Mapping{Outcome: Unmapped, Rule: ruleUnmapped}
		}
		m.Rule = g.rule
		filled, key := filledPath(g.template, q)
		m.Permissions = append(m.Permissions, Permission{Action: g.action, Resources: []string{apiGatewayARN(r.AWSRegion, g.path)}, Rule: g.rule,
			fromRequest: []Resource{{ARN: apiGatewayARN(r.AWSRegion, filled), Source: SourceRequest, Key: key}}})
	}
	if d.dynamic != nil {
		m.Permissions = d.dynamic(r, q, m.Permissions)
	}
	if d.bearerToken && q.mentionsKey("accesstoken") {
		return Mapping{Outcome: Permissionless, Rule: rulePermissionlessPrefix + "bearer-token"}
	}
	var firedBuf [16]bool
	fired := firedBuf[:0]
	for _, x := range d.extras {
		fired = append(fired, x.trigger(q))
	}
	for _, g := range d.primary {
		if replacedBy(d.extras, fired, g.action) {
			continue
		}
		m.Permissions = append(m.Permissions, g.permission(r, q))
	}
	for i := range d.extras {
		if fired[i] {
			m.Permissions = append(m.Permissions, d.extras[i].permission(r, q))
		}
	}
	if len(m.Permissions) == 0 {
		return Mapping{Outcome: Unmapped, Rule: ruleUnmapped}
	}
	m.Permissions = addGaps(d, r, q, m.Permissions)
	for i := range m.Permissions {
		if len(m.Permissions[i].Resources) == 0 {
			m.Permissions[i].Resources = []string{"*"}
		}
	}
	return m
}

// replacedBy reports whether a fired extra replaces the primary action a.
func replacedBy(extras []extra, fired []bool, a iam.Action) bool {
	for i, x := range extras {
		if fired[i] && x.replaces == a {
			return true
		}
	}
	return false
}

// Rules that are not in a table.
const (
	ruleUnmapped             = "unmapped"
	ruleUnknownSource        = "unknown-event-source"
	ruleOperation            = "operation"
	ruleActionName           = "action-name"
	ruleUnverified           = "unverified-service"
	ruleAWSServiceCaller     = "aws-service-caller"
	ruleServiceEvent         = "service-event"
	ruleConsoleSignIn        = "console-sign-in"
	ruleAPIGatewayV1         = "apigateway-v1"
	ruleAPIGatewayV2         = "apigateway-v2"
	ruleRequestPrefix        = "request:"
	ruleOverridePrefix       = "override:"
	rulePermissionlessPrefix = "permissionless:"
)

// recordPermissionless drops records whose call was not authorized by the caller's
// identity policy, whatever the operation: calls made by AWS services and events AWS logs
// on its own.
func recordPermissionless(r *cloudtrail.Record) (string, bool) {
	switch {
	case r.UserIdentity.Type == "AWSService":
		// The caller is an AWS service principal, authorized by a trust or resource
		// policy, not by an identity policy in the account.
		return ruleAWSServiceCaller, true
	case r.EventType == "AwsServiceEvent":
		// CloudTrail "AWS service events" are generated by AWS, not requested by a caller.
		return ruleServiceEvent, true
	case strings.EqualFold(r.EventType, "AwsConsoleSignIn"):
		return ruleConsoleSignIn, true
	case r.UserIdentity.Type == "IdentityCenterUser" && strings.EqualFold(r.EventSource, "sso.amazonaws.com"):
		// IAM Identity Center User Guide, "Logging AWS access portal calls": the portal
		// user calls with a bearer token, not with IAM credentials.
		return rulePermissionlessPrefix + "identity-center-portal", true
	}
	return "", false
}

// decision is what the mapping decided for one (eventSource, eventName) pair.
type decision struct {
	outcome    Outcome
	rule       string
	primary    []grant
	extras     []extra
	apigateway *apiGatewayDecision
	// dynamic adds permissions that depend on the request (curated overrides).
	dynamic func(r *cloudtrail.Record, q *request, ps []Permission) []Permission
	// key is the lower-case "prefix:operation" the gap tables (gaps.go) are keyed by.
	key string
	// bearerToken: the operation is authorized by a user's access token when the request
	// carries one (Cognito user pools), not by IAM.
	bearerToken bool
}

// grant is one action of a decision and how to find its resources.
type grant struct {
	action    iam.Action
	rule      string
	resources resourceRule
	formats   []arnFormat // the action's ARN formats, for resourcesFromRecord
}

// extra is an action granted only when the request shows the feature that needs it.
type extra struct {
	grant
	trigger  func(*request) bool
	replaces iam.Action // the primary action this one replaces (s3:GetObject → GetObjectVersion)
}

// resourceRule says where a permission's resources come from.
type resourceRule uint8

const (
	resourcesFromRecord resourceRule = iota // the record's resources that fit the action's ARN formats
	resourcesAny                            // "*"
	resourcesRoles                          // IAM role ARNs in the request (iam:PassRole)
	resourcesLayers                         // Lambda layer version ARNs in the request
	resourcesRecordAll                      // all the record's resources (no formats to check them by)
)

func (g *grant) permission(r *cloudtrail.Record, q *request) Permission {
	p := Permission{Action: g.action, Rule: g.rule}
	switch g.resources {
	case resourcesFromRecord:
		p.Resources = matchingARNs(r.ResourceARNs, g.formats)
	case resourcesRoles:
		p.Resources = q.stringsWhere(isRoleARN)
		p.ruled = len(p.Resources) > 0
	case resourcesLayers:
		p.Resources = q.stringsWhere(isLayerARN)
		p.ruled = len(p.Resources) > 0
	case resourcesRecordAll:
		p.Resources = sortedCopy(r.ResourceARNs)
		p.ruled = len(p.Resources) > 0 // no formats to build others by
	}
	return p
}

func isRoleARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":iam::") && strings.Contains(s, ":role/")
}

func isLayerARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":lambda:") && strings.Contains(s, ":layer:")
}

// newGrant returns a grant of action whose resources come from the record.
func newGrant(action, rule string) grant {
	g := grant{action: iam.Action(action), rule: rule}
	for _, rt := range servicedefs.ResourceTypes(action) {
		for _, f := range rt.ARNFormats {
			g.formats = append(g.formats, compileARNFormat(f))
		}
	}
	return g
}

type pairKey = cloudtrail.Event

// decisions caches decide. The first maxHot pairs live in a copy-on-write map read
// without locking (the usual working set is a few hundred pairs); later ones, up to
// maxDecisions, in a locked map, so that input with endless distinct names cannot grow the
// cache without bound. Beyond that, decisions are recomputed.
var decisions struct {
	hot  atomic.Pointer[map[pairKey]*decision]
	mu   sync.Mutex
	cold map[pairKey]*decision
}

const (
	maxHot       = 1 << 11
	maxDecisions = 1 << 16
)

func decide(source, name string) *decision {
	k := pairKey{Source: source, Name: name}
	if hot := decisions.hot.Load(); hot != nil {
		if d := (*hot)[k]; d != nil {
			return d
		}
	}
	decisions.mu.Lock()
	d := decisions.cold[k]
	decisions.mu.Unlock()
	if d != nil {
		return d
	}
	d = makeDecision(source, name)
	storeDecision(k, d)
	return d
}

// storeDecision adds d to the cache, if there is room.
func storeDecision(k pairKey, d *decision) {
	decisions.mu.Lock()
	defer decisions.mu.Unlock()
	hot := decisions.hot.Load()
	switch {
	case hot == nil || len(*hot) < maxHot:
		m := make(map[pairKey]*decision, 1+cachedLen(hot))
		if hot != nil {
			for kk, dd := range *hot {
				m[kk] = dd
			}
		}
		m[k] = d
		decisions.hot.Store(&m)
	case len(decisions.cold) < maxDecisions-maxHot:
		if decisions.cold == nil {
			decisions.cold = map[pairKey]*decision{}
		}
		decisions.cold[k] = d
	}
}

// forgetDecision removes a pair from the cache (for tests).
func forgetDecision(k pairKey) {
	decisions.mu.Lock()
	defer decisions.mu.Unlock()
	delete(decisions.cold, k)
	if hot := decisions.hot.Load(); hot != nil {
		if _, ok := (*hot)[k]; ok {
			m := make(map[pairKey]*decision, len(*hot))
			for kk, dd := range *hot {
				if kk != k {
					m[kk] = dd
				}
			}
			decisions.hot.Store(&m)
		}
	}
}

// cachedLen returns the number of decisions in a hot map.
func cachedLen(hot *map[pairKey]*decision) int {
	if hot == nil {
		return 0
	}
	return len(*hot)
}

// versionSuffix matches the API versions CloudTrail appends to some event names: Lambda's
// 20150331, 20150331v2, 20181031 and CloudFront's 2016_11_25 or _2020_05_31.
var versionSuffix = regexp.MustCompile(`(?:20\d{6}(?:v\d+)?|_?(?:19|20)\d{2}_\d{2}_\d{2})$`)

// operationNames returns the names to look an event name up as: itself, then without a
// version suffix.
func operationNames(name string) []string {
	if loc := versionSuffix.FindStringIndex(name); loc != nil && loc[0] > 0 {
		return []string{name, name[:loc[0]]}
	}
	return []string{name}
}

// makeDecision decides for a pair and notes what the gap tables need.
func makeDecision(source, name string) *decision {
	d := decideOperation(source, name)
	if d.outcome != Mapped && d.outcome != Unverified {
		return d
	}
	prefix, _ := servicedefs.PrefixForEventSource(source)
	names := operationNames(name)
	d.key = strings.ToLower(prefix + ":" + names[len(names)-1])
	if bearerTokenOperations[d.key] {
		d.bearerToken = true
	}
	return d
}

func decideOperation(source, name string) *decision {
	if source == "" || name == "" {
		return &decision{outcome: Unmapped, rule: ruleUnmapped}
	}
	prefix, known := servicedefs.PrefixForEventSource(source)
	names := operationNames(name)
	if rule, ok := sourcePermissionless(source); ok && !(known && authorizesActions(prefix, names)) {
		return &decision{outcome: Permissionless, rule: rule}
	}
	if !known {
		return &decision{outcome: Unmapped, rule: ruleUnknownSource}
	}
	if !servicedefs.KnownPrefix(prefix) {
		return unverifiedDecision(prefix, names[len(names)-1])
	}
	for _, n := range names {
		if rule, ok := permissionless[strings.ToLower(prefix+":"+n)]; ok {
			return &decision{outcome: Permissionless, rule: rulePermissionlessPrefix + rule}
		}
		if rule, ok := unauthenticated[strings.ToLower(prefix+":"+n)]; ok {
			return &decision{outcome: Permissionless, rule: rulePermissionlessPrefix + rule}
		}
	}
	if strings.EqualFold(prefix, "apigateway") {
		for _, n := range names {
			if d := apiGatewayDecisionFor(prefix, n); d != nil {
				return d
			}
		}
		return &decision{outcome: Unmapped, rule: ruleUnmapped}
	}
	for _, n := range names {
		if o, ok := overrides[strings.ToLower(prefix+":"+n)]; ok {
			return o.decision(prefix, n)
		}
	}
	for _, n := range names {
		op := n
		if to, ok := renames[strings.ToLower(prefix+":"+n)]; ok {
			op = to
		}
		if d := operationDecision(prefix, op, ruleOperation); d != nil {
			return d
		}
		if a, ok := servicedefs.Canonical(prefix + ":" + op); ok {
			return &decision{outcome: Mapped, rule: ruleActionName, primary: []grant{newGrant(a, ruleActionName)}}
		}
	}
	return &decision{outcome: Unmapped, rule: ruleUnmapped}
}

// authorizesActions reports whether the service reference lists authorized actions for
// the operation under one of its names.
func authorizesActions(prefix string, names []string) bool {
	for _, n := range names {
		if o, ok := servicedefs.LookupOperation(prefix, n); ok && len(o.AuthorizedActions) > 0 {
			return true
		}
	}
	return false
}

// unverifiedDecision writes "prefix:name" unchecked, for a service newer than the
// snapshot (its event source is in the table, its prefix not in the service reference).
// The generator warns about such actions, or fails with --strict.
func unverifiedDecision(prefix, name string) *decision {
	return &decision{outcome: Unverified, rule: ruleUnverified,
		primary: []grant{{action: iam.Action(prefix + ":" + name), rule: ruleUnverified, resources: resourcesRecordAll}}}
}

// operationDecision maps an operation through the service reference's AuthorizedActions:
// the primary action(s) always, the others only when the request shows they were needed.
// It returns nil when the reference does not say which actions the operation authorizes.
func operationDecision(prefix, op, rule string) *decision {
	o, ok := servicedefs.LookupOperation(prefix, op)
	if !ok || len(o.AuthorizedActions) == 0 {
		return nil
	}
	primary, extras := splitAuthorized(prefix, o.Name, o.AuthorizedActions)
	// The action named like the operation, when it exists but the data's list omits it
	// (s3:GetObjectTorrent, s3:GetObjectAttributes, dynamodb:RestoreTableToPointInTime):
	// the data is incomplete there, so grant it as well.
	if own, ok := servicedefs.Canonical(prefix + ":" + o.Name); ok && !slices.ContainsFunc(primary, func(a string) bool { return strings.EqualFold(a, own) }) {
		primary = append(primary, own)
	}
	if len(primary) == 0 {
		return nil
	}
	d := &decision{outcome: Mapped, rule: rule}
	for _, a := range primary {
		d.primary = append(d.primary, newGrant(a, rule))
	}
	d.extras = extras
	return d
}

// splitAuthorized chooses, from an operation's "may authorize" list, the primary actions
// and the extras that the request can call for. Others are dropped.
//
// Primary: the action named like the operation in the event's own service; else the only
// remaining action of the own service; else the own-service actions whose name and the
// operation's name start alike (kms:ReEncrypt → ReEncryptFrom, ReEncryptTo); else, when the
// own service has none (opensearch → es:…), the same choice among the other services.
func splitAuthorized(prefix, op string, authorized []string) (primary []string, extras []extra) {
	var rest []string
	for _, a := range authorized {
		p, n, _ := strings.Cut(a, ":")
		if strings.EqualFold(p, prefix) && strings.EqualFold(n, op) {
			primary = append(primary, a)
		}
	}
	for _, a := range authorized {
		if slices.Contains(primary, a) {
			continue
		}
		if f, ok := secondaryFor(a, authorized); ok {
			if f.trigger != nil {
				extras = append(extras, f.extra(a, authorized))
			}
			continue
		}
		rest = append(rest, a)
	}
	if len(primary) > 0 {
		return primary, extras
	}
	if len(rest) == 0 {
		// Every authorized action looked like a feature's (PutObjectLockConfiguration
		// authorizes only s3:PutBucketObjectLockConfiguration): then they are the call's own.
		rest, extras = authorized, nil
	}
	var own, other []string
	for _, a := range rest {
		if p, _, _ := strings.Cut(a, ":"); strings.EqualFold(p, prefix) {
			own = append(own, a)
		} else {
			other = append(other, a)
		}
	}
	pick := func(cands []string) []string {
		if len(cands) <= 1 {
			return cands
		}
		var same, alike []string
		for _, a := range cands {
			_, n, _ := strings.Cut(a, ":")
			if strings.EqualFold(n, op) {
				same = append(same, a)
			}
			ln, lop := strings.ToLower(n), strings.ToLower(op)
			if strings.HasPrefix(ln, lop) || strings.HasPrefix(lop, ln) {
				alike = append(alike, a)
			}
		}
		switch {
		case len(same) > 0:
			return same
		case len(alike) > 0:
			return alike
		}
		return cands
	}
	if len(own) > 0 {
		return pick(own), extras
	}
	return pick(other), extras
}

// matchingARNs returns the ARNs that fit one of the formats, sorted and de-duplicated, or
// nil ("*") when the action has no resource types or none fits.
func matchingARNs(arns []string, formats []arnFormat) []string {
	if len(formats) == 0 || len(arns) == 0 {
		return nil
	}
	var out []string
	for _, a := range arns {
		for i := range formats {
			if formats[i].match(a) {
				out = append(out, a)
				break
			}
		}
	}
	if len(out) > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// arnFormat is an ARN format of the service reference, such as
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}", compiled for matching: literal
// parts with variables between them.
type arnFormat struct {
	literals []string // len(vars)+1 literal parts
	slash    []bool   // whether variable i may hold a "/"
}

func compileARNFormat(f string) arnFormat {
	var a arnFormat
	for {
		i := strings.Index(f, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			break
		}
		name := f[i+2 : i+j]
		a.literals = append(a.literals, f[:i])
		a.slash = append(a.slash, strings.Contains(name, "Path") || strings.Contains(name, "Object") ||
			strings.Contains(name, "Key") || strings.Contains(name, "Resource") || strings.Contains(name, "Prefix"))
		f = f[i+j+1:]
	}
	a.literals = append(a.literals, f)
	return a
}

// match reports whether s fits the format. Variables match any text (without "/" unless
// the variable is a path, object or key), literals are found leftmost.
func (a *arnFormat) match(s string) bool {
	if len(a.literals) == 1 {
		return s == a.literals[0]
	}
	if !strings.HasPrefix(s, a.literals[0]) {
		return false
	}
	s = s[len(a.literals[0]):]
	for i, lit := range a.literals[1:] {
		var v string
		if i == len(a.literals)-2 {
			if !strings.HasSuffix(s, lit) {
				return false
			}
			v = s[:len(s)-len(lit)]
			s = ""
		} else {
			k := strings.Index(s, lit)
			if k < 0 {
				return false
			}
			v, s = s[:k], s[k+len(lit):]
		}
		if !a.slash[i] && strings.Contains(v, "/") {
			return false
		}
	}
	return true
}
