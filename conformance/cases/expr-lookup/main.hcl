locals {
  sizes = { small = 1, large = 4 }
}

output "two_arguments" { value = lookup(local.sizes, "large") }
output "default" { value = lookup(local.sizes, "huge", 8) }
output "null_default" { value = lookup(local.sizes, "huge", null) == null }
