variable "password" {
  default   = "hunter22"
  sensitive = true
}

resource "plumb_data" "login" {
  input = "user:${var.password}"
}

output "login" {
  value     = plumb_data.login.output
  sensitive = true
}

output "length" { value = nonsensitive(length(var.password)) }
