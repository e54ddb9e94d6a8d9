data "aws_iam_policy_document" "my_policy" {
  version = "2012-10-17"

  statement {
    sid    = "1"
    effect = "Allow"
    actions = [
      "*",
    ]
    resources = [
      "~",
      "null",
      "y",
      "no",
      "<<",
      "0x10",
      "1e3",
      "0o7",
      ".inf",
      "- a",
      ": b",
      "#c",
      "'",
      "@x",
      "`y",
      "!tag",
      "&a",
      "*a",
      "%x",
      " lead",
      "trail ",
      "",
    ]

    condition {
      test     = "StringEquals"
      variable = "2"
      values = [
        "2.50",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "<<"
      values = [
        "x",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "true"
      values = [
        "true",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "~"
      values = [
        "y",
      ]
    }
  }
}
