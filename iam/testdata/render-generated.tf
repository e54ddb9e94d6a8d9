data "aws_iam_policy_document" "my_policy" {
  version = "2012-10-17"

  statement {
    effect = "Allow"
    actions = [
      "ec2:DescribeInstances",
      "s3:ListAllMyBuckets",
    ]
    resources = [
      "*",
    ]
  }

  statement {
    effect = "Allow"
    actions = [
      "s3:GetObject",
    ]
    resources = [
      "arn:aws:s3:::bucket/$${aws:username}/*",
      "arn:aws:s3:::other/*",
    ]
  }
}
