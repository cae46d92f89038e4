locals {
  a = local.b
  b = local.a
}
output "x" { value = local.a }
