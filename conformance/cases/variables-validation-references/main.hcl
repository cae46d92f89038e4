variable "min_replicas" { default = 2 }

variable "replicas" {
  default = 1
  validation {
    condition     = var.replicas >= var.min_replicas && var.replicas <= local.max_replicas
    error_message = "replicas must be between ${var.min_replicas} and ${local.max_replicas}."
  }
}

locals {
  max_replicas = 5
}
