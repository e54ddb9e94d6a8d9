package cloudtrail_test

import (
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

func TestPrincipal(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    cloudtrail.UserIdentity
		want string
	}{
		{"assumed role", cloudtrail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::123456789012:assumed-role/app/i-1",
			SessionIssuerARN: "arn:aws:iam::123456789012:role/path/app"}, "arn:aws:iam::123456789012:role/path/app"},
		{"assumed role without issuer", cloudtrail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws-cn:sts::123456789012:assumed-role/app/i-1"},
			"arn:aws-cn:iam::123456789012:role/app"},
		{"assumed role odd ARN", cloudtrail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::1:federated-user/x", PrincipalID: "P"}, "arn:aws:sts::1:federated-user/x"},
		{"user", cloudtrail.UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/bob", UserName: "bob"}, "arn:aws:iam::123456789012:user/bob"},
		{"root", cloudtrail.UserIdentity{Type: "Root", ARN: "arn:aws:iam::123456789012:root"}, "arn:aws:iam::123456789012:root"},
		{"federated", cloudtrail.UserIdentity{Type: "FederatedUser", ARN: "arn:aws:sts::123456789012:federated-user/bob",
			SessionIssuerARN: "arn:aws:iam::123456789012:user/alice"}, "arn:aws:iam::123456789012:user/alice"},
		{"service", cloudtrail.UserIdentity{Type: "AWSService", InvokedBy: "lambda.amazonaws.com"}, "lambda.amazonaws.com"},
		{"account", cloudtrail.UserIdentity{Type: "AWSAccount", PrincipalID: "AIDA", AccountID: "111122223333"}, "AIDA"},
		{"nothing", cloudtrail.UserIdentity{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cloudtrail.Record{UserIdentity: tc.u}
			if got := r.Principal(); got != tc.want {
				t.Errorf("Principal() = %q, want %q", got, tc.want)
			}
		})
	}
}
