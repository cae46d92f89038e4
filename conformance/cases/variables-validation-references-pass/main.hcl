variable "zone" {
  default = "example.org"
  validation {
    condition     = contains(local.allowed_zones, var.zone)
    error_message = "Zone ${var.zone} is not one we host."
  }
}

locals {
  allowed_zones = ["example.org", "example.net"]
}

output "zone" { value = var.zone }
