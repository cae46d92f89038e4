variable "region" {
  type     = string
  nullable = false
}
output "x" { value = var.region }
