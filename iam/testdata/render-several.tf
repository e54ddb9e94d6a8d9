data "aws_iam_policy_document" "my_policy_1" {
  version = "2012-10-17"

  statement {
    effect = "Allow"
    actions = [
      "s3:GetObject",
    ]
    resources = [
      "*",
    ]
  }
}

data "aws_iam_policy_document" "my_policy_2" {
  version = "2012-10-17"

  statement {
    effect = "Allow"
    actions = [
      "s3:PutObject",
    ]
    resources = [
      "*",
    ]
  }
}
