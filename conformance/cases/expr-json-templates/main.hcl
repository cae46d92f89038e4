locals {
  policy = jsondecode(templatefile("policy.json.tftpl", { bucket = "backups", actions = ["s3:GetObject", "s3:PutObject"] }))
}

output "actions" { value = local.policy.Statement[0].Action }
output "resource" { value = local.policy.Statement[0].Resource }
output "roundtrip" { value = jsonencode(local.policy) == jsonencode(jsondecode(jsonencode(local.policy))) }
