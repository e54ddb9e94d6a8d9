// Package granted fetches the IAM policies that apply to a role or a user through the IAM
// API, as [access.Document]s for package access to compare with what was used.
//
// For a role that is its attached managed policies (the default version of each) and its
// inline policies; for a user also those of each group it is in. Permissions boundaries,
// service control policies, session policies and resource-based policies are not
// fetched. Clients are the SDK's IAM client or anything with the same methods; every list
// is read through the SDK's paginators.
package granted

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamapi "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/iam"
)

// PolicyAPI is the part of the IAM client that reads managed policies.
type PolicyAPI interface {
	iamapi.GetPolicyAPIClient
	GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionInput, opts ...func(*iamapi.Options)) (*iamapi.GetPolicyVersionOutput, error)
}

// RoleAPI is the part of the IAM client that [Role] calls.
type RoleAPI interface {
	PolicyAPI
	iamapi.ListAttachedRolePoliciesAPIClient
	iamapi.ListRolePoliciesAPIClient
	GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyInput, opts ...func(*iamapi.Options)) (*iamapi.GetRolePolicyOutput, error)
}

// GroupAPI is the part of the IAM client that reads a group's policies.
type GroupAPI interface {
	PolicyAPI
	iamapi.ListAttachedGroupPoliciesAPIClient
	iamapi.ListGroupPoliciesAPIClient
	GetGroupPolicy(ctx context.Context, in *iamapi.GetGroupPolicyInput, opts ...func(*iamapi.Options)) (*iamapi.GetGroupPolicyOutput, error)
}

// UserAPI is the part of the IAM client that [User] calls.
type UserAPI interface {
	GroupAPI
	iamapi.ListAttachedUserPoliciesAPIClient
	iamapi.ListUserPoliciesAPIClient
	iamapi.ListGroupsForUserAPIClient
	GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyInput, opts ...func(*iamapi.Options)) (*iamapi.GetUserPolicyOutput, error)
}

var (
	_ RoleAPI = (*iamapi.Client)(nil)
	_ UserAPI = (*iamapi.Client)(nil)
)

// Role returns the policies of the role: its attached managed policies (sorted by ARN),
// named by ARN, then its inline policies (sorted by name), named "role/NAME inline policy
// P".
func Role(ctx context.Context, c RoleAPI, name string) ([]access.Document, error) {
	arns, err := collect(ctx, iamapi.NewListAttachedRolePoliciesPaginator(c, &iamapi.ListAttachedRolePoliciesInput{RoleName: &name}),
		"listing the managed policies attached to role "+name, func(o *iamapi.ListAttachedRolePoliciesOutput) []string { return attachedARNs(o.AttachedPolicies) })
	if err != nil {
		return nil, err
	}
	docs, err := managed(ctx, c, arns)
	if err != nil {
		return nil, err
	}
	inline, err := inlineDocs(ctx, "role", name,
		iamapi.NewListRolePoliciesPaginator(c, &iamapi.ListRolePoliciesInput{RoleName: &name}),
		func(o *iamapi.ListRolePoliciesOutput) []string { return o.PolicyNames },
		func(p string) (*string, error) {
			out, err := c.GetRolePolicy(ctx, &iamapi.GetRolePolicyInput{RoleName: &name, PolicyName: &p})
			if err != nil {
				return nil, err
			}
			return out.PolicyDocument, nil
		})
	if err != nil {
		return nil, err
	}
	return append(docs, inline...), nil
}

// User returns the policies of the user: the managed policies attached to it or to one of
// its groups (sorted by ARN, each once), its inline policies ("user/NAME inline policy
// P"), then the inline policies of each group it is in, by group name ("group/G inline
// policy P").
func User(ctx context.Context, c UserAPI, name string) ([]access.Document, error) {
	arns, err := collect(ctx, iamapi.NewListAttachedUserPoliciesPaginator(c, &iamapi.ListAttachedUserPoliciesInput{UserName: &name}),
		"listing the managed policies attached to user "+name, func(o *iamapi.ListAttachedUserPoliciesOutput) []string { return attachedARNs(o.AttachedPolicies) })
	if err != nil {
		return nil, err
	}
	groups, err := collect(ctx, iamapi.NewListGroupsForUserPaginator(c, &iamapi.ListGroupsForUserInput{UserName: &name}),
		"listing the groups of user "+name, func(o *iamapi.ListGroupsForUserOutput) []string {
			out := make([]string, len(o.Groups))
			for i, g := range o.Groups {
				out[i] = aws.ToString(g.GroupName)
			}
			return out
		})
	if err != nil {
		return nil, err
	}
	slices.Sort(groups)
	for _, g := range groups {
		more, err := collect(ctx, iamapi.NewListAttachedGroupPoliciesPaginator(c, &iamapi.ListAttachedGroupPoliciesInput{GroupName: &g}),
			"listing the managed policies attached to group "+g, func(o *iamapi.ListAttachedGroupPoliciesOutput) []string { return attachedARNs(o.AttachedPolicies) })
		if err != nil {
			return nil, err
		}
		arns = append(arns, more...)
	}
	docs, err := managed(ctx, c, arns)
	if err != nil {
		return nil, err
	}
	inline, err := inlineDocs(ctx, "user", name,
		iamapi.NewListUserPoliciesPaginator(c, &iamapi.ListUserPoliciesInput{UserName: &name}),
		func(o *iamapi.ListUserPoliciesOutput) []string { return o.PolicyNames },
		func(p string) (*string, error) {
			out, err := c.GetUserPolicy(ctx, &iamapi.GetUserPolicyInput{UserName: &name, PolicyName: &p})
			if err != nil {
				return nil, err
			}
			return out.PolicyDocument, nil
		})
	if err != nil {
		return nil, err
	}
	docs = append(docs, inline...)
	for _, g := range groups {
		inline, err := inlineDocs(ctx, "group", g,
			iamapi.NewListGroupPoliciesPaginator(c, &iamapi.ListGroupPoliciesInput{GroupName: &g}),
			func(o *iamapi.ListGroupPoliciesOutput) []string { return o.PolicyNames },
			func(p string) (*string, error) {
				out, err := c.GetGroupPolicy(ctx, &iamapi.GetGroupPolicyInput{GroupName: &g, PolicyName: &p})
				if err != nil {
					return nil, err
				}
				return out.PolicyDocument, nil
			})
		if err != nil {
			return nil, err
		}
		docs = append(docs, inline...)
	}
	return docs, nil
}

// pager is an SDK paginator.
type pager[T any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, opts ...func(*iamapi.Options)) (T, error)
}

// collect reads every page of p and returns the items of each.
func collect[T any](ctx context.Context, p pager[T], what string, items func(T) []string) ([]string, error) {
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

func attachedARNs(ps []types.AttachedPolicy) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = aws.ToString(p.PolicyArn)
	}
	return out
}

// inlineDocs lists the inline policies of a role, user or group (kind) through p and gets
// each, sorted by name.
func inlineDocs[T any](ctx context.Context, kind, owner string, p pager[T], names func(T) []string, get func(policy string) (*string, error)) ([]access.Document, error) {
	list, err := collect(ctx, p, fmt.Sprintf("listing the inline policies of %s %s", kind, owner), names)
	if err != nil {
		return nil, err
	}
	slices.Sort(list)
	docs := make([]access.Document, 0, len(list))
	for _, n := range list {
		text, err := get(n)
		if err != nil {
			return nil, fmt.Errorf("getting inline policy %s of %s %s: %w", n, kind, owner, err)
		}
		d, err := document(fmt.Sprintf("%s/%s inline policy %s", kind, owner, n), text)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// managed fetches the default version of each managed policy, once each, sorted by ARN.
func managed(ctx context.Context, c PolicyAPI, arns []string) ([]access.Document, error) {
	slices.Sort(arns)
	arns = slices.Compact(arns)
	docs := make([]access.Document, 0, len(arns))
	for _, arn := range arns {
		p, err := c.GetPolicy(ctx, &iamapi.GetPolicyInput{PolicyArn: &arn})
		if err != nil {
			return nil, fmt.Errorf("getting managed policy %s: %w", arn, err)
		}
		if p.Policy == nil || p.Policy.DefaultVersionId == nil {
			return nil, fmt.Errorf("getting managed policy %s: the response names no default version", arn)
		}
		v, err := c.GetPolicyVersion(ctx, &iamapi.GetPolicyVersionInput{PolicyArn: &arn, VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			return nil, fmt.Errorf("getting version %s of managed policy %s: %w", *p.Policy.DefaultVersionId, arn, err)
		}
		if v.PolicyVersion == nil {
			return nil, fmt.Errorf("getting version %s of managed policy %s: empty response", *p.Policy.DefaultVersionId, arn)
		}
		d, err := document(arn, v.PolicyVersion.Document)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// ErrNoDocument reports a response without a policy document.
var ErrNoDocument = errors.New("the response holds no policy document")

// document decodes a policy document as IAM returns it, URL-encoded.
func document(name string, encoded *string) (access.Document, error) {
	if encoded == nil {
		return access.Document{}, fmt.Errorf("policy %s: %w", name, ErrNoDocument)
	}
	text, err := url.QueryUnescape(*encoded)
	if err != nil {
		return access.Document{}, fmt.Errorf("policy %s: decoding the URL-encoded document: %w", name, err)
	}
	p, err := iam.Parse([]byte(text))
	if err != nil {
		return access.Document{}, fmt.Errorf("policy %s: %w", name, err)
	}
	return access.Document{Name: name, Policy: p}, nil
}
