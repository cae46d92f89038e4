variable "port" { default = 8080 }

resource "plumb_data" "listener" {
  input = { port = var.port, tls = true }

  lifecycle {
    precondition {
      condition     = var.port > 1024
      error_message = "Use an unprivileged port."
    }
    postcondition {
      condition     = self.output.port == var.port
      error_message = "The listener does not echo its port."
    }
  }
}

output "port" {
  value = plumb_data.listener.output.port
  precondition {
    condition     = plumb_data.listener.output.tls
    error_message = "The listener must use TLS."
  }
}
