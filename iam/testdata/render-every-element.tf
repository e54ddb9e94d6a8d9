data "aws_iam_policy_document" "my_policy" {
  policy_id = "policy-1"
  version   = "2012-10-17"

  statement {
    sid    = "Deny1"
    effect = "Deny"
    not_actions = [
      "iam:*",
    ]
    not_resources = [
      "arn:aws:iam::123456789012:role/x",
    ]

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values = [
        "false",
      ]
    }

    condition {
      test     = "NumericLessThan"
      variable = "aws:MultiFactorAuthAge"
      values = [
        "3600",
      ]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:max-keys"
      values = [
        "10",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values = [
        "a",
        "b",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:prefix"
      values = [
        "home/$${aws:username}/",
      ]
    }
  }

  statement {
    effect = "Allow"
    actions = [
      "sts:AssumeRole",
    ]

    principals {
      type = "*"
      identifiers = [
        "*",
      ]
    }
  }

  statement {
    effect = "Allow"
    actions = [
      "sts:AssumeRole",
    ]

    principals {
      type = "AWS"
      identifiers = [
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::210987654321:root",
      ]
    }

    principals {
      type = "Service"
      identifiers = [
        "ec2.amazonaws.com",
      ]
    }
  }

  statement {
    effect = "Deny"
    actions = [
      "s3:*",
    ]
    resources = [
      "*",
    ]

    not_principals {
      type = "AWS"
      identifiers = [
        "arn:aws:iam::123456789012:user/a",
      ]
    }
  }

  statement {
    sid     = "Odd"
    effect  = "Allow"
    actions = []
    resources = [
      "arn:aws:s3:::a\"b\\c\td\n",
      "arn:aws:s3:::$$${x}%%{y}%%%{z}$",
      "arn:aws:s3:::é€😀",
    ]
  }
}
