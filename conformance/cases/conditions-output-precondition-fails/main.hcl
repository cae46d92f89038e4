locals {
  replicas = 1
}

output "replicas" {
  value = local.replicas
  precondition {
    condition     = local.replicas >= 2
    error_message = "Run at least two replicas."
  }
}
