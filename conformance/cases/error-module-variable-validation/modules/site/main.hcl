variable "domain" { type = string }

variable "ttl" {
  type    = number
  default = 300
  validation {
    condition     = var.ttl >= 60
    error_message = "ttl must be at least 60."
  }
}

resource "plumb_data" "zone" {
  input = { name = var.domain, ttl = var.ttl }
}

output "name" { value = plumb_data.zone.output.name }
output "ttl" { value = plumb_data.zone.output.ttl }
