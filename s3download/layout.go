package s3download

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrLayout is wrapped by the errors of [Layout.Validate].
var ErrLayout = errors.New("invalid log layout")

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2,}(-[a-z]+)+-[0-9]+$`)
	orgIDPattern     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// LayoutError reports a value of a [Layout] that no trail can have. Field names the
// Layout field ("AccountIDs", "Regions", "OrgIDs").
type LayoutError struct {
	Field, Value, Want string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Want)
}

func (e *LayoutError) Unwrap() error { return ErrLayout }

// Validate checks that l names at least one account and region and that every account ID,
// region and organisation ID has the form AWS gives them, so that no key is built from a
// typo. The error is a *[LayoutError] for the first bad value.
func (l Layout) Validate() error {
	if len(l.AccountIDs) == 0 {
		return &LayoutError{Field: "AccountIDs", Want: "at least one account ID is needed"}
	}
	if len(l.Regions) == 0 {
		return &LayoutError{Field: "Regions", Want: "at least one region is needed"}
	}
	for _, id := range l.AccountIDs {
		if !accountIDPattern.MatchString(id) {
			return &LayoutError{"AccountIDs", id, "an AWS account ID has 12 digits"}
		}
	}
	for _, r := range l.Regions {
		if !regionPattern.MatchString(r) {
			return &LayoutError{"Regions", r, "not an AWS region name like us-east-1"}
		}
	}
	for _, id := range l.OrgIDs {
		if !orgIDPattern.MatchString(id) {
			return &LayoutError{"OrgIDs", id, "an organisation ID looks like o-a1b2c3d4e5"}
		}
	}
	return nil
}

// BucketRegion returns the region of bucket as S3 reports it, or "" when it does not say.
// HeadBucket answers with the region even when it refuses the request because it was sent
// to the wrong region (301) or is not allowed (403), so the answer needs no permission on
// the bucket. Use it to configure the client before [New]: a bucket's objects can only be
// fetched in its own region.
func BucketRegion(ctx context.Context, client s3.HeadBucketAPIClient, bucket string) string {
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}, callOpts(DefaultStallTimeout))
	if err == nil {
		return aws.ToString(out.BucketRegion)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}
