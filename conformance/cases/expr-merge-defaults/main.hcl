variable "overrides" {
  default = { ttl = 60, tags = { team = "dns" } }
}

locals {
  defaults = { ttl = 300, type = "A", tags = { env = "prod" } }
  settings = merge(local.defaults, var.overrides)
  tags     = merge(local.defaults.tags, try(var.overrides.tags, {}))
}

output "settings" { value = local.settings }
output "tags" { value = local.tags }
output "owner" { value = try(local.settings.owner, "unassigned") }
