package mapping

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// Call is what resource scoping reads of one CloudTrail record.
type Call struct {
	Region string // awsRegion
	// Account is the account whose resources the call acted on: recipientAccountId, else
	// the caller's account.
	Account      string
	CallerARN    string // userIdentity.arn
	CallerType   string // userIdentity.type ("IAMUser", …)
	ResourceARNs []string
	Request      json.RawMessage // requestParameters
	Response     json.RawMessage // responseElements
}

// Source says where a scoped ARN came from.
type Source uint8

const (
	// SourceNone: nothing in the call named the resource; every part but partition, region
	// and account is "*".
	SourceNone Source = iota
	// SourceResources: the ARN is in the record's resources[].
	SourceResources
	// SourceRequest: built from (or given whole by) the request parameter Key.
	SourceRequest
	// SourceResponse: built from responseElements (a created resource; parts AWS
	// generated are "*").
	SourceResponse
	// SourceCaller: the API acts on the caller itself (iam:GetUser without a user name).
	SourceCaller
	// SourceIndex: a bare name resolved by an ARN seen elsewhere in the run.
	SourceIndex
)

// Resource is an ARN an action was used on and where it came from.
type Resource struct {
	ARN    string
	Source Source
	Key    string // the request key, for SourceRequest
	// Assumed is set for an ARN built from a bare name where the real ARN may hold more (an
	// IAM path, a secret's random suffix); an ARN seen elsewhere in the run may resolve it.
	Assumed bool
}

// Origin describes the source for explanations: "resources[]", "request key bucketName",
// "response", "caller", "index", "none".
func (r Resource) Origin() string {
	switch r.Source {
	case SourceResources:
		return "resources[]"
	case SourceRequest:
		if r.Key != "" {
			return "request key " + r.Key
		}
		return "request"
	case SourceResponse:
		return "response"
	case SourceCaller:
		return "caller"
	case SourceIndex:
		return "index"
	}
	return "none"
}

const (
	maxParams     = 4096 // values read from a request or response
	maxValues     = 32   // distinct values of one variable; more become "*"
	maxCombos     = 64   // ARNs of one resource type from one call; more widen a variable
	minLooseStem  = 4    // shortest stem matched by suffix
	maxCandidates = 1024 // whole ARNs considered from one call
)

// Scoper builds the resource ARNs of one call's actions. It reads the request and
// response once.
type Scoper struct {
	c          *Call
	parsed     bool
	req        []param
	resp       []param
	whole      []wholeARN
	single     bool   // the action being scoped has one resource type
	actionNorm string // its name, normalised
}

// wholeARN is an ARN the call names as a whole: in resources[], or a request value.
type wholeARN struct {
	arn    string
	source Source
	key    string
}

// NewScoper returns a Scoper for c.
func NewScoper(c *Call) *Scoper { return &Scoper{c: c} }

func (s *Scoper) parse() {
	if s.parsed {
		return
	}
	s.parsed = true
	s.req = flatten(s.c.Request, maxParams)
	for _, a := range s.c.ResourceARNs {
		if len(s.whole) < maxCandidates {
			s.whole = append(s.whole, wholeARN{arn: a, source: SourceResources})
		}
	}
	for _, p := range s.req {
		if len(s.whole) >= maxCandidates {
			break
		}
		if a, ok := arnValue(p.val); ok {
			s.whole = append(s.whole, wholeARN{arn: a, source: SourceRequest, key: p.key})
		} else if a, ok := queueURLARN(p.val); ok {
			s.whole = append(s.whole, wholeARN{arn: a, source: SourceRequest, key: p.key})
		}
	}
}

// Resources returns the resources the call used action on: nil when the action has no
// resource types (it takes only "*"). A resource type is included when the call names it
// (resources[], the request, the response, the caller); when it names none, the action's
// only resource type with "*" for every part the call cannot tell (Source None), or nil
// when there are several.
func (s *Scoper) Resources(action string) []Resource {
	types := typesOf(action)
	if len(types) == 0 {
		return nil
	}
	s.parse()
	types = s.selectTypes(types)
	s.single = len(types) == 1
	_, name, _ := strings.Cut(action, ":")
	s.actionNorm = normKey(name)
	consumed := map[string]bool{} // request values used whole for some type
	var out []Resource
	named := make([]bool, len(types))
	for i, t := range types {
		for _, w := range s.whole {
			if t.fits(w.arn) {
				arn, assumed := secretSuffix(w.arn)
				out = append(out, Resource{ARN: arn, Source: w.source, Key: w.key, Assumed: assumed})
				named[i] = true
				if w.source == SourceRequest {
					consumed[w.key+"\x00"+w.arn] = true
				}
			}
		}
	}
	for i, t := range types {
		rs, evidence, loose := s.fillType(t, s.req, consumed, SourceRequest)
		if !evidence {
			continue
		}
		// A type the call names whole gains only ARNs built from keys that say what they
		// name (a copy's target), fully specific.
		for _, r := range rs {
			if !named[i] || (!loose && !strings.Contains(r.ARN, "*")) {
				out = append(out, r)
			}
		}
		named[i] = true
	}
	for i, t := range types {
		if named[i] {
			continue
		}
		if creates(action) {
			if rs := s.fromResponse(t); len(rs) > 0 {
				out = append(out, rs...)
				named[i] = true
				continue
			}
		}
		if s.c.CallerARN != "" && t.fits(s.c.CallerARN) && t.formats[0].service() == "iam" && s.c.CallerType == "IAMUser" {
			out = append(out, Resource{ARN: s.c.CallerARN, Source: SourceCaller})
			named[i] = true
		}
	}
	// Types without a part of their own (a Glue catalog, an account) are what the call acts
	// on or in, whatever it names: they are filled from the call.
	for i, t := range types {
		if !named[i] && firstNamedVar(&t.formats[0]) < 0 && len(types) > 1 {
			out = append(out, s.unnamed(&t.formats[0]))
		}
	}
	if len(out) == 0 {
		if len(types) != 1 {
			return nil
		}
		return []Resource{s.unnamed(&types[0].formats[0])}
	}
	return dedupe(out)
}

// unnamed fills a format from the call alone: partition, region and account, "*" for the
// rest.
func (s *Scoper) unnamed(f *format) Resource {
	vals := make([]string, len(f.vars))
	for j, v := range f.vars {
		vals[j] = s.context(v, fill{})
	}
	return Resource{ARN: f.build(vals), Source: SourceNone}
}

// secretSuffix gives a Secrets Manager secret ARN given without its random suffix (a
// partial ARN, which the API accepts) the "-??????" the policy needs to match it (Secrets
// Manager User Guide, "Permissions to a secret": a secret's ARN ends in "-" and six
// characters).
func secretSuffix(arn string) (string, bool) {
	_, svc, _, _, res, ok := arnParts(arn)
	if !ok || svc != "secretsmanager" || !strings.HasPrefix(res, "secret:") {
		return arn, false
	}
	name := res[len("secret:"):]
	if n := len(name); n > 7 && name[n-7] == '-' && alnum(name[n-6:]) {
		return arn, false
	}
	return arn + "-??????", true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// dedupe sorts resources by ARN and keeps the first of each ARN.
func dedupe(rs []Resource) []Resource {
	slices.SortStableFunc(rs, func(a, b Resource) int { return strings.Compare(a.ARN, b.ARN) })
	return slices.CompactFunc(rs, func(a, b Resource) bool { return a.ARN == b.ARN })
}

// selectTypes keeps the types a resourceType parameter names, when it names some.
func (s *Scoper) selectTypes(types []resType) []resType {
	if len(types) < 2 {
		return types
	}
	for _, p := range s.req {
		if p.depth != 0 || p.norm != "resourcetype" {
			continue
		}
		want := normKey(p.val)
		var keep []resType
		for _, t := range types {
			if normKey(t.name) == want {
				keep = append(keep, t)
			}
		}
		if len(keep) > 0 {
			return keep
		}
	}
	return types
}

func (t *resType) fits(arn string) bool {
	for i := range t.formats {
		if t.formats[i].fits(arn) {
			return true
		}
	}
	return false
}

// context returns the value of a partition, region or account variable, or "*".
func (s *Scoper) context(v string, f fill) string {
	if c := s.contextRaw(v, f); c == "" || plainField(c) {
		return c
	}
	return "*"
}

func (s *Scoper) contextRaw(v string, f fill) string {
	switch v {
	case "Partition":
		r := f.region
		if r == "" {
			r = s.c.Region
		}
		return partitionOf(r)
	case "Region":
		if f.region != "" {
			return f.region
		}
		if s.c.Region != "" {
			return s.c.Region
		}
	case "Account":
		if f.noAccount {
			return ""
		}
		if f.account != "" {
			return f.account
		}
		if s.c.Account != "" {
			return s.c.Account
		}
	}
	return "*"
}

// strongRules is the last rule of values that matches a key by its name (alias, same key,
// same stem, a copy's source or target); later ones are loose (a suffix, a bare "name").
const strongRules = 3

// fillType fills the first format of t from params. evidence reports whether the first
// identifying variable was filled; loose whether a value came from a loose rule.
func (s *Scoper) fillType(t resType, params []param, consumed map[string]bool, src Source) (rs []Resource, evidence, loose bool) {
	f := &t.formats[0]
	svc := f.service()
	choices := make([][]fill, len(f.vars))
	keys := make([]string, len(f.vars))
	first, last := firstNamedVar(f), lastNamedVar(f)
	used := map[string]bool{}
	othersFilled := true
	for j, v := range f.vars {
		if isContextVar(v) || v == wildcardVar {
			continue
		}
		// A bare "name" parameter fills the last variable when the action has one type and
		// its name says that type (glue:DeleteCrawler; not athena:CreateNamedQuery, whose
		// type is the workgroup), or when the variables before it (a Glue table's
		// database) are filled.
		nameOK := j == last && ((s.single && s.actionNames(t.name)) || (othersFilled && j != first))
		fs, key, rule := s.values(svc, t.name, v, nameOK, params, consumed, used)
		loose = loose || (len(fs) > 0 && rule > strongRules)
		// A variable named like the type (an organization's account by accountId, an EKS
		// node group by nodegroupName), filled by its own key, names the type too; an
		// alias alone (an object key for an access point's object) does not.
		if len(fs) > 0 && rule >= 1 && rule <= strongRules && namesType(t.name, v) {
			evidence = true
		}
		if len(fs) == 0 {
			othersFilled = false
		}
		if strings.HasSuffix(v, "WithPath") {
			fs = withPath(fs, params)
		}
		if len(fs) > 0 {
			choices[j], keys[j] = fs, key
			used[key] = true
			if j == first {
				evidence = true
			}
		}
	}
	if !evidence {
		return nil, false, false
	}
	// Too many combinations: the variable with the most values becomes "*" until they fit.
	for combos(choices) > maxCombos {
		most := 0
		for j := range choices {
			if len(choices[j]) > len(choices[most]) {
				most = j
			}
		}
		choices[most] = []fill{{val: "*"}}
	}
	// Values that fill partition, region and account, from the other variables' values
	// (a partial ARN, a wafv2 scope) or the call.
	var out []Resource
	idx := make([]int, len(f.vars))
	for {
		var ctx fill
		assumed := false
		key := ""
		for j := range f.vars {
			if len(choices[j]) == 0 {
				continue
			}
			c := choices[j][idx[j]]
			if c.account != "" {
				ctx.account = c.account
			}
			if c.region != "" {
				ctx.region = c.region
			}
			ctx.noAccount = ctx.noAccount || c.noAccount
			assumed = assumed || c.assumed
			if key == "" {
				key = keys[j]
			}
		}
		vals := make([]string, len(f.vars))
		for j, v := range f.vars {
			switch {
			case len(choices[j]) > 0:
				vals[j] = choices[j][idx[j]].val
			case isContextVar(v):
				vals[j] = s.context(v, ctx)
			default:
				vals[j] = "*"
			}
		}
		if arn := f.build(vals); t.fits(arn) {
			out = append(out, Resource{ARN: arn, Source: src, Key: key, Assumed: assumed})
		}
		// next combination
		j := len(idx) - 1
		for ; j >= 0; j-- {
			if len(choices[j]) == 0 {
				continue
			}
			idx[j]++
			if idx[j] < len(choices[j]) {
				break
			}
			idx[j] = 0
		}
		if j < 0 {
			break
		}
	}
	return out, true, loose
}

// firstNamedVar is the index of the format's first variable that names the resource (not
// partition, region, account or a wafv2 scope): a type counts as named by the call only
// when that one is filled (an object key alone does not name an access point's object).
func firstNamedVar(f *format) int {
	for j, v := range f.vars {
		if !isContextVar(v) && v != "Scope" && v != wildcardVar {
			return j
		}
	}
	return -1
}

// namesType reports whether variable v is the resource type's own identifier: its stem
// and the type's name contain one another ("account" and AccountId, "nodegroup" and
// NodegroupName).
func namesType(typ, v string) bool {
	t, sv := normKey(typ), stem(normKey(v))
	return len(sv) >= 3 && (strings.Contains(t, sv) || strings.Contains(sv, t))
}

// actionNames reports whether the action being scoped is named after the resource type
// ("DeleteCrawler" and "crawler", "CreateEnvironment" and "environment").
func (s *Scoper) actionNames(typ string) bool {
	t := normKey(typ)
	return len(t) >= 3 && strings.Contains(s.actionNorm, t)
}

// combos returns the number of ARNs the choices make.
func combos(choices [][]fill) int {
	n := 1
	for _, c := range choices {
		n *= max(len(c), 1)
		if n > maxCombos {
			return n
		}
	}
	return n
}

// lastNamedVar is the index of the format's last variable that is not partition, region or
// account: the one a bare "name" parameter may fill.
func lastNamedVar(f *format) int {
	for j := len(f.vars) - 1; j >= 0; j-- {
		if !isContextVar(f.vars[j]) && f.vars[j] != wildcardVar {
			return j
		}
	}
	return -1
}

// genericVars are variables whose name says nothing of the resource; the resource type's
// name stands in for them.
var genericVars = map[string]bool{"ResourceId": true, "Id": true, "Name": true, "ResourceName": true, "Identifier": true}

// values finds the request values of variable v of resource type typ, by the first rule that
// finds any: curated aliases, the same normalised key, the same stem ("queueUrl" for
// "QueueName"), a top-level key whose stem ends the other's, the resource type's name for a
// generic variable, a top-level "name" for the last variable.
func (s *Scoper) values(svc, typ, v string, last bool, params []param, consumed, used map[string]bool) ([]fill, string, int) {
	vk := keysFor(svc, typ, v)
	for rule := range 7 {
		var out []fill
		key := ""
		for k := range params {
			p := &params[k]
			if p.inTags || !vk.matches(rule, p, last, s) || (rule > 0 && used[p.key]) || (rule > 0 && slices.Contains(vk.claimed, p.norm)) ||
				consumed[p.key+"\x00"+p.val] {
				continue
			}
			f, ok := transform(svc, typ, v, p.val)
			if !ok || (!slashOK(v) && strings.Contains(f.val, "/")) {
				continue
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
				if key == "" {
					key = p.key
				}
			}
		}
		if len(out) > maxValues || (len(out) > 0 && len(params) >= maxParams) {
			// Too many to list, or the parameters were cut short: any value.
			return []fill{{val: "*"}}, key, rule
		}
		if len(out) > 0 {
			return out, key, rule
		}
	}
	return nil, "", 0
}

// varKeys is what values compares request keys with for one variable of a resource type.
type varKeys struct {
	v        string
	norm     string   // the variable's normalised name
	stem     string   // its stem, or the type's name for a generic variable
	aliases  []string // curated keys
	claimed  []string // keys other rows of the service claim
	generic  bool
	nameLeaf bool // the variable ends in "Name": a bare "name" may fill it
	ec2ID    bool // an EC2 id, whose prefix names its type
}

var varKeyCache sync.Map // svc\x00typ\x00var → *varKeys

func keysFor(svc, typ, v string) *varKeys {
	k := svc + "\x00" + typ + "\x00" + v
	if x, ok := varKeyCache.Load(k); ok {
		return x.(*varKeys)
	}
	vk := &varKeys{v: v, norm: normKey(v), generic: genericVars[v], nameLeaf: strings.HasSuffix(v, "Name")}
	vk.stem = stem(vk.norm)
	if vk.generic {
		vk.stem = normKey(typ)
	}
	vk.aliases, vk.claimed = aliasKeys(svc, typ, v)
	vk.ec2ID = svc == "ec2" && ec2IDPrefixes[typ] != "" && strings.HasSuffix(v, "Id")
	varKeyCache.Store(k, vk)
	return vk
}

// matches applies rule (in order of preference) to a request parameter: a curated alias,
// the same normalised key, the same stem, a copy's source or target, a top-level key whose
// stem ends the other's, a bare top-level "name" for the last variable, "resourceId" beside
// a "resourceType".
func (vk *varKeys) matches(rule int, p *param, last bool, s *Scoper) bool {
	switch rule {
	case 0:
		return slices.Contains(vk.aliases, p.norm)
	case 1:
		return p.norm == vk.norm && (!vk.generic || p.depth == 0)
	case 2:
		return len(vk.stem) >= 3 && p.stem == vk.stem
	case 3:
		switch {
		case len(vk.stem) >= 3 && strings.HasSuffix(p.stem, vk.stem) && hasCopyPrefix(p.stem):
			// The source or the target of a copy (sourceDBSnapshotIdentifier, targetBucket).
			return true
		case vk.ec2ID && len(p.stem) >= 4 && strings.HasSuffix(vk.stem, p.stem):
			// An EC2 id under a shorter name (FlowLogId for VpcFlowLogId); its prefix is
			// checked by transform.
			return true
		case p.depth == 1 && len(vk.stem) >= 3 && strings.HasSuffix(p.parent, vk.stem):
			// The name or id inside the resource's own object ({"configurationRecorder":
			// {"name": …}}).
			return p.norm == "name" && vk.nameLeaf || p.norm == "id" && strings.HasSuffix(vk.v, "Id")
		}
		return false
	case 4:
		// A top-level key that says more than the variable (dbClusterSnapshotIdentifier for
		// ClusterSnapshotName); not the other way round (dbInstanceIdentifier does not name
		// a ReservedDbInstanceName).
		return p.depth == 0 && p.stem != p.norm && len(vk.stem) >= minLooseStem && strings.HasSuffix(p.stem, vk.stem)
	case 5:
		// A bare top-level "name" ("identifier" for any variable, "id" for an id).
		return last && p.depth == 0 && (p.norm == "name" && vk.nameLeaf || p.norm == "identifier" ||
			p.norm == "id" && strings.HasSuffix(vk.v, "Id"))
	case 6:
		return last && p.depth == 0 && p.norm == "resourceid" && s.hasTop("resourcetype")
	}
	return false
}

// hasCopyPrefix reports whether a key stem starts like the source or target of a copy.
func hasCopyPrefix(stem string) bool {
	for _, p := range []string{"source", "target", "destination", "dest", "new"} {
		if strings.HasPrefix(stem, p) {
			return true
		}
	}
	return false
}

// withPath puts the request's top-level "path" ("/division/") before bare IAM names
// (IAM API reference, CreateUser/CreateRole/CreatePolicy: Path).
func withPath(fs []fill, params []param) []fill {
	for _, p := range params {
		if p.depth != 0 || p.norm != "path" || !strings.HasPrefix(p.val, "/") || !strings.HasSuffix(p.val, "/") || p.val == "/" {
			continue
		}
		for i := range fs {
			if fs[i].assumed {
				fs[i].val, fs[i].assumed = strings.TrimPrefix(p.val, "/")+fs[i].val, false
			}
		}
	}
	return fs
}

func (s *Scoper) hasTop(norm string) bool {
	for _, p := range s.req {
		if p.depth == 0 && p.norm == norm {
			return true
		}
	}
	return false
}

// creatingVerbs start the names of actions that make a resource, whose response names it.
var creatingVerbs = []string{"Create", "Run", "Allocate", "Register", "Import", "Copy", "Restore", "Start",
	"Launch", "Request", "Clone", "Duplicate", "Provision", "Publish", "Purchase", "Generate", "Issue"}

// creates reports whether the action makes a resource (ec2:RunInstances, sns:CreateTopic):
// only then is the response read for resources the request did not name. Other responses
// describe what exists (an instance's option groups), which the call did not act on.
func creates(action string) bool {
	_, n, _ := strings.Cut(action, ":")
	for _, v := range creatingVerbs {
		if strings.HasPrefix(n, v) {
			return true
		}
	}
	return false
}

// fromResponse finds a resource of type t that the call created, in responseElements: an
// ARN that fits, or values under the variables' names. A part that the request does not
// hold was generated by AWS and is not reusable: it becomes "*".
func (s *Scoper) fromResponse(t resType) []Resource {
	if len(s.c.Response) == 0 {
		return nil
	}
	if s.resp == nil {
		s.resp = flatten(s.c.Response, maxParams)
		if s.resp == nil {
			s.resp = []param{}
		}
	}
	var out []Resource
	for _, p := range s.resp {
		a, ok := arnValue(p.val)
		if !ok {
			continue
		}
		for i := range t.formats {
			f := &t.formats[i]
			vals, ok := f.extract(a)
			if !ok {
				continue
			}
			for j, v := range f.vars {
				if !isContextVar(v) && !s.inRequest(vals[j]) {
					vals[j] = "*"
				}
			}
			out = append(out, Resource{ARN: f.build(vals), Source: SourceResponse})
			break
		}
		if len(out) >= maxCombos {
			break
		}
	}
	if len(out) > 0 {
		return out
	}
	rs, evidence, _ := s.fillType(t, s.resp, nil, SourceResponse)
	if !evidence {
		return nil
	}
	f := &t.formats[0]
	for i := range rs {
		vals, ok := f.extract(rs[i].ARN)
		if !ok {
			continue
		}
		for j, v := range f.vars {
			if !isContextVar(v) && !s.inRequest(vals[j]) {
				vals[j] = "*"
			}
		}
		rs[i].ARN, rs[i].Key = f.build(vals), ""
	}
	return rs
}

// inRequest reports whether the request holds the value (so AWS did not make it up): as a
// whole value, as a part of one between ":" and "/", or inside one when it is long.
func (s *Scoper) inRequest(v string) bool {
	if v == "" || v == "*" {
		return true
	}
	for _, p := range s.req {
		if p.val == v || (len(v) >= 8 && strings.Contains(p.val, v)) {
			return true
		}
		for part := range strings.FieldsFuncSeq(p.val, func(r rune) bool { return r == ':' || r == '/' }) {
			if part == v {
				return true
			}
		}
	}
	return false
}
