variable "version" { default = "1" }

resource "plumb_data" "app" {
  input = "app"
  lifecycle {
    replace_triggered_by = [var.version]
  }
}
