variable "retain_days" {
  type    = number
  default = 0
  validation {
    condition     = var.retain_days > 0
    error_message = "Keep snapshots for at least one day."
  }
}
