variable "token" {
  default   = "abc123"
  sensitive = true
}

output "is_sensitive" { value = [issensitive(var.token), issensitive(sensitive("x")), issensitive("x")] }
output "hash" { value = nonsensitive(sha256(var.token)) }
output "core_namespace" { value = core::upper("x") }
