data "aws_iam_policy_document" "my_policy" {
  version = "2012-10-17"
}
