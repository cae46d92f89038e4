variable "env" { default = "prod" }

locals {
  replicas = var.env == "prod" ? 3 : 1
  tier     = var.env == "prod" ? "gold" : var.env == "staging" ? "silver" : "bronze"
}

output "replicas" { value = local.replicas }
output "tier" { value = local.tier }
output "unified" { value = true ? 1 : "two" }
output "picked" { value = false ? ["a"] : ["b", "c"] }
output "fallback" { value = var.env != "" ? var.env : "none" }
