package cloudtrail

// Fields is a set of the fields of a [Record] that a decoder fills (see [WithFields]).
// Record.Raw is always set.
type Fields uint16

// The fields of a Record, alone or in groups.
const (
	FieldEventTime          Fields = 1 << iota // EventTime
	FieldEvent                                 // EventSource, EventName
	FieldEventType                             // EventType
	FieldAWSRegion                             // AWSRegion
	FieldSourceIPAddress                       // SourceIPAddress
	FieldUserAgent                             // UserAgent
	FieldErrorCode                             // ErrorCode
	FieldRecipientAccountID                    // RecipientAccountID
	FieldResources                             // ResourceARNs
	FieldUserIdentity                          // UserIdentity
	FieldRequestParameters                     // RequestParameters
	FieldResponseElements                      // ResponseElements

	// AllFields is every field, the default.
	AllFields Fields = 1<<iota - 1
)

// WithFields has the decoder fill only the fields f of each Record (and Raw) and skip the
// others, which is faster: select without filters needs only FieldEventTime. Skipped
// values are still checked to be valid JSON, so a record is yielded or skipped as with
// every field; only problems with the fields left out (a field of the wrong type, see
// [Record.Ignored]) go unnoticed, as those fields are not used.
func WithFields(f Fields) DecodeOption { return func(c *decodeConfig) { c.fields = f } }

// Fields returns the fields of a Record that [Filter.Match] reads.
func (f *Filter) Fields() Fields {
	var need Fields
	if !f.From.IsZero() || !f.To.IsZero() {
		need |= FieldEventTime
	}
	if len(f.AssumedRoleARNs) > 0 || len(f.Principals) > 0 {
		need |= FieldUserIdentity
	}
	if len(f.EventSources) > 0 {
		need |= FieldEvent
	}
	if f.Errors != ErrorsInclude {
		need |= FieldErrorCode
	}
	return need
}
