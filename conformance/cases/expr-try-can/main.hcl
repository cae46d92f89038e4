locals {
  settings = { name = "web", ports = [80] }
}

output "missing_attribute" { value = try(local.settings.owner, "nobody") }
output "missing_index" { value = try(local.settings.ports[3], -1) }
output "first_that_works" { value = try(local.settings.none, local.settings.name, "x") }
output "can_regex" { value = [can(regex("^web", local.settings.name)), can(regex("^db", local.settings.name))] }
