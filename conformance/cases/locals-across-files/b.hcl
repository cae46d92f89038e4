locals {
  fqdns = [for h in local.hosts : "${h}.${local.domain}"]
  count = length(local.fqdns)
}

output "fqdns" { value = local.fqdns }
output "count" { value = local.count }
