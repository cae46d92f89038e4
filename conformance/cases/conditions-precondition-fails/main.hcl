variable "port" { default = 80 }

resource "plumb_data" "listener" {
  input = var.port
  lifecycle {
    precondition {
      condition     = var.port > 1024
      error_message = "Use an unprivileged port, not ${var.port}."
    }
  }
}
